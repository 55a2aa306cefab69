// Package target turns what a visitor types into the URL a diagnosis should
// look at, as a browser would get there.
//
// A visitor who sees "502 Bad Gateway" reports a site's name, not an exact
// URL, and their browser both picked a scheme and followed redirects before
// the error page appeared. The package retraces those steps:
//
//   - Parse reads an address-bar input ("shop.example", "bücher.example/x",
//     "[::1]:8080", "https://…") into a Target with the candidate URLs in the
//     order a browser tries them, or an *InputError that says why it is not a
//     web address.
//   - ChooseScheme picks among the candidates: https first, and plain http
//     when nothing answers TLS but http answers, with a note saying so.
//   - Follow follows redirects as a browser does, up to 20, and ends at the
//     first response that is not a redirect, at a hop that fails, or at a
//     loop, which it describes (Loop, LoopKind) for the report.
//
// Requests go out through a Sender, so that the caller decides headers,
// cookies, name resolution and tagging; ProbeWith makes one from
// probe.Options. Every request runs under a deadline, and responses are read
// by package probe, which caps them.
package target
