package catalog

// herokuCodes maps the error codes of Heroku's router (Heroku Dev Center,
// "Heroku Error Codes") to causes. Codes that are no upstream failure (a
// client's own, a bad request, a redirect loop) map to "".
var herokuCodes = map[string]Cause{
	// App crashed, no web dynos running, app boot timeout, blank app, dyno
	// hours used up: no dyno to send the request to.
	"H10": UpstreamNoneHealthy, "H14": UpstreamNoneHealthy, "H20": UpstreamNoneHealthy,
	"H81": UpstreamNoneHealthy, "H82": UpstreamNoneHealthy,
	"H11": UpstreamOverloaded, "H22": UpstreamOverloaded, // backlog too deep, connection limit reached
	"H12": UpstreamTimeout, "H15": UpstreamTimeout, // request timeout (30 s), idle connection (55 s)
	"H13": UpstreamClosed, "H18": UpstreamClosed, // connection closed without response, server request interrupted
	"H17": UpstreamInvalid,     // poorly formatted HTTP response
	"H19": UpstreamUnreachable, // backend connection timeout
	"H21": UpstreamRefused,     // backend connection refused
	"H16": "", "H26": "", "H27": "", "H28": "", "H31": "", "H80": "",
}

// HerokuCause returns the cause of a Heroku router error code, and whether
// the code is one the catalog knows.
func HerokuCause(code string) (Cause, bool) {
	c, ok := herokuCodes[code]
	return c, ok
}
