package diagnose

// InputStatus says what became of one log or configuration file that a
// diagnosis was given.
type InputStatus string

// The fates of an input.
const (
	// InputUsed: read, and it holds lines of this diagnosis's requests
	// (a log) or was read whole (a configuration).
	InputUsed InputStatus = "used"
	// InputNothingFound: a log that was read but holds no line of this
	// diagnosis's requests. Not an error.
	InputNothingFound InputStatus = "nothing_found"
	// InputUnusable: it could not be read; Reason says why and Hint what
	// would let it be read.
	InputUnusable InputStatus = "unusable"
)

// Input is one log or configuration file given to a diagnosis, and what
// became of it. An unusable input degrades the diagnosis; it never sinks it.
type Input struct {
	Kind   string      `json:"kind"` // "log" or "config"
	Name   string      `json:"name"` // the file as given
	Status InputStatus `json:"status"`
	// Format is the log format it was read as, or the product whose
	// configuration it is.
	Format string `json:"format,omitempty"`
	// Lines is how many lines of this diagnosis's requests a log held.
	Lines int `json:"lines,omitempty"`
	// Reason says why the input could not be used: "missing", "permission
	// denied", "unknown format", a parse error at file:line.
	Reason string `json:"reason,omitempty"`
	// Hint says what would let it be used.
	Hint string `json:"hint,omitempty"`
	// NotRead lists the parts of a configuration that was used, but not
	// whole, that could not be read ("file:line: why"): an include missing
	// on this machine, a block cut short.
	NotRead []string `json:"not_read,omitempty"`
}
