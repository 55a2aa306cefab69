package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gwdoctor/gwdoctor/internal/logscan"
)

// LogsMarkdown writes a logs report as Markdown, for a ticket or a wiki.
func LogsMarkdown(w io.Writer, r *logscan.Report, opt LogsOptions) error {
	opt = opt.withDefaults()
	var b strings.Builder
	fmt.Fprintf(&b, "# gwdoctor logs: %s failures\n\n", thousands(r.Failures))
	fmt.Fprintf(&b, "%s lines (%s) read", thousands(r.Lines), byteSize(r.Bytes))
	if r.Joined > 0 {
		fmt.Fprintf(&b, "; %s access lines explained by error lines", thousands(r.Joined))
	}
	fmt.Fprintf(&b, "; %s too long, %s malformed, %s outside the time range.\n\n", thousands(r.Skipped), thousands(r.Malformed), thousands(r.Filtered))
	b.WriteString("| file | format | lines | failures |\n| --- | --- | ---: | ---: |\n")
	for _, f := range r.Files {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, f.Format, thousands(f.Lines), thousands(f.Failures))
	}
	if len(r.Causes) > 0 {
		b.WriteString("\n## Causes\n\n| cause | failures | status | first | last |\n| --- | ---: | --- | --- | --- |\n")
		for _, c := range r.Causes {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.Cause, thousands(c.Count), statusList(c.Statuses),
				stamp(c.First, opt.Location), stamp(c.Last, opt.Location))
		}
	}
	logsMarkdownKeys(&b, "Top upstreams", r.Upstreams)
	logsMarkdownKeys(&b, "Top paths", r.Paths)
	logsMarkdownBursts(&b, r, opt)
	for _, c := range r.Causes {
		fmt.Fprintf(&b, "\n## `%s` (%s)\n\n", c.Cause, joinProducts(c.Products))
		for _, f := range c.Fixes {
			fmt.Fprintf(&b, "- **%s**: %s\n", f.Product, f.Text)
		}
		if len(c.Examples) > 0 {
			b.WriteString("\n```\n")
			for _, e := range c.Examples {
				if e.Joined != nil {
					fmt.Fprintf(&b, "%s:%d: %s\n", e.Joined.File, e.Joined.Line, strings.ReplaceAll(e.Joined.Raw, "```", "'''"))
				}
				fmt.Fprintf(&b, "%s:%d: %s\n", e.File, e.Line, strings.ReplaceAll(e.Raw, "```", "'''"))
			}
			b.WriteString("```\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func logsMarkdownKeys(b *strings.Builder, title string, keys []logscan.KeyCount) {
	if len(keys) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## %s\n\n| | failures | causes |\n| --- | ---: | --- |\n", title)
	for _, k := range keys {
		name := "`" + k.Key + "`"
		if k.Key == "" {
			name = "(others)"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", strings.ReplaceAll(name, "|", "\\|"), thousands(k.Count), causeMix(k.Causes, 3))
	}
}

func logsMarkdownBursts(b *strings.Builder, r *logscan.Report, opt LogsOptions) {
	var bursts []logscan.Minute
	for _, m := range r.Timeline {
		if m.Burst {
			bursts = append(bursts, m)
		}
	}
	if len(bursts) == 0 {
		return
	}
	b.WriteString("\n## Bursts\n\n| minute | failures | causes |\n| --- | ---: | --- |\n")
	for _, m := range bursts {
		fmt.Fprintf(b, "| %s | %s | %s |\n", m.Start.In(opt.Location).Format("2006-01-02 15:04"), thousands(m.Total), causeMix(m.Causes, 3))
	}
}

// LogsJSON writes a logs report as one JSON document (schema_version 1).
// Its fields are logscan.Report's; times are RFC 3339.
func LogsJSON(w io.Writer, r *logscan.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
