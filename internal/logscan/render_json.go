package logscan

import (
	"encoding/json"
	"io"
)

// RenderJSON writes the report as one JSON document (schema_version 1).
// Its fields are Report's; times are RFC 3339.
func RenderJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
