package diagnose

// Persistence says how a failure behaves over the tries: a value of the
// catalog's verdict field persistence.
type Persistence string

// Persistence values, as in the catalog.
const (
	Persistent   Persistence = "persistent"
	Intermittent Persistence = "intermittent"
	Recovered    Persistence = "recovered"
	NoFailure    Persistence = "none"
)

// GeneratedBy is the hop that produced the response the user saw.
type GeneratedBy struct {
	Role    string `json:"role"`
	Product string `json:"product"`
}

// Finding is one observation that supports the verdict.
type Finding struct {
	// Source names the attempt or experiment it comes from ("try 2", "upstream").
	Source string `json:"source"`
	Text   string `json:"text"`
}

// Excluded is a plausible cause that the evidence rules out.
type Excluded struct {
	Cause Cause  `json:"cause"`
	Title string `json:"title"`
	Why   string `json:"why"`
}

// Step is one thing to do now.
type Step struct {
	// Who does it: "visitor" or "operator".
	Who  string `json:"who"`
	Text string `json:"text"`
	// Lines are commands or configuration lines to use, verbatim.
	Lines []string `json:"lines,omitempty"`
}

// Verdict is the judgement on one URL.
type Verdict struct {
	Cause       Cause       `json:"cause"`
	Title       string      `json:"title"`
	Layer       Layer       `json:"layer"`
	Persistence Persistence `json:"persistence"`
	GeneratedBy GeneratedBy `json:"generated_by"`
	Status      int         `json:"status"`
	// Confidence is one of the Confidence levels, computed from the claims
	// that agree and disagree with the cause (see the package documentation).
	Confidence Confidence `json:"confidence"`
	// Summary is one sentence that says what happened.
	Summary string `json:"summary"`
	// Culprits are the client headers or cookies that trigger the failure.
	Culprits []string `json:"culprits,omitempty"`
	// Path lists the hops the diagnosis asked directly, outermost first;
	// empty when it asked only the site.
	Path     []Hop      `json:"path,omitempty"`
	Evidence []Finding  `json:"evidence"`
	RuledOut []Excluded `json:"ruled_out"`
	Steps    []Step     `json:"steps"`
}

// Failed reports whether the verdict names a failure.
func (v Verdict) Failed() bool { return v.Cause != OK }
