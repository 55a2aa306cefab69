package catalog

// winHTTPCodes maps the WinHTTP errors that IIS's Application Request
// Routing and the ASP.NET Core Module report for a forwarded request (a
// page's 0x80072EE2, a log's sc-win32-status 12002) to causes.
var winHTTPCodes = map[int]Cause{
	12002: UpstreamTimeout,     // ERROR_WINHTTP_TIMEOUT
	12007: UpstreamDNS,         // ERROR_WINHTTP_NAME_NOT_RESOLVED
	12029: UpstreamRefused,     // ERROR_WINHTTP_CANNOT_CONNECT
	12030: UpstreamClosed,      // ERROR_WINHTTP_CONNECTION_ERROR
	12152: UpstreamInvalid,     // ERROR_WINHTTP_INVALID_SERVER_RESPONSE
	12175: UpstreamTLS,         // ERROR_WINHTTP_SECURE_FAILURE
	64:    UpstreamClosed,      // ERROR_NETNAME_DELETED: the connection went away
	1236:  UpstreamClosed,      // ERROR_CONNECTION_ABORTED
	10061: UpstreamRefused,     // WSAECONNREFUSED
	10060: UpstreamUnreachable, // WSAETIMEDOUT, connecting
}

// WinHTTPCause returns the cause of a WinHTTP or Win32 error code that IIS
// reports for a forwarded request, and whether the catalog knows it.
func WinHTTPCause(code int) (Cause, bool) {
	c, ok := winHTTPCodes[code]
	return c, ok
}

// IISCause returns the cause of an IIS status with its substatus and
// Win32 status, as its log writes them (Microsoft Learn, "The HTTP status
// code in IIS"): 502.3 is ARR's or the ASP.NET Core Module's forwarder
// error, named by its Win32 status; 502.4 no server; 502.5 the
// application's process failed to start; 503.0 the application pool is
// stopped; 503.2 to 503.4 a full queue or limit. A 502 or 503 with
// substatus 0 was set by the application itself. "" for a status that is
// no gateway failure.
func IISCause(status, substatus, win32 int) Cause {
	switch {
	case status == 502 && substatus == 3:
		if c, ok := WinHTTPCause(win32); ok {
			return c
		}
		return Upstream
	case status == 502 && substatus == 4:
		return UpstreamNoneHealthy
	case status == 502 && substatus == 5:
		return UpstreamRefused
	case status == 502 && substatus == 1:
		return UpstreamTimeout // CGI application timeout
	case status == 502 && substatus == 2:
		return UpstreamClosed // CGI application ended before answering
	case status == 503 && substatus == 0 && win32 == 0:
		return UpstreamAppError
	case status == 503 && substatus == 0:
		return UpstreamNoneHealthy // the application pool is unavailable
	case status == 503 && substatus >= 2 && substatus <= 4:
		return UpstreamOverloaded
	case status == 504:
		return UpstreamTimeout
	case status == 502 && substatus == 0:
		return UpstreamAppError
	case IsGatewayStatus(status):
		return Upstream
	}
	return ""
}
