package web

import (
	"html/template"
	"time"
)

// The rows of the status page are built here rather than in status.tmpl:
// a page of 1,000 targets would run some 10,000 template actions, each
// through reflection and an escaper, which cost more than everything else
// the page does. Every text is escaped with template.HTMLEscapeString
// (< > & ' " and NUL: enough for text and for quoted attributes), every
// class comes from a fixed set, and every link is a path of this site
// built with url.PathEscape; TestHostileNames checks the result.

var esc = template.HTMLEscapeString

// targetRows renders the rows of one group, with the bars of days days
// (none when 0); reader adds the links and the open incidents.
func targetRows(rows []targetRow, reader bool, days int, now time.Time) template.HTML {
	b := make([]byte, 0, len(rows)*(400+12*days))
	for _, r := range rows {
		b = append(b, `<li class="target"><div class="line"><span class="state s-`...)
		b = append(b, r.State...)
		b = append(b, `">`...)
		b = append(b, r.State...)
		b = append(b, `</span>`...)
		if reader {
			b = append(b, `<a href="`...)
			b = append(b, esc(r.Path)...)
			b = append(b, `">`...)
		} else {
			b = append(b, `<span class="name">`...)
		}
		b = append(b, esc(r.Label)...)
		if reader {
			b = append(b, `</a>`...)
		} else {
			b = append(b, `</span>`...)
		}
		b = append(b, `<span class="uptime">`...)
		b = append(b, esc(r.Uptime)...)
		b = append(b, "</span></div>\n"...)
		if days > 0 {
			b = appendBars(b, r.Days, days, now)
		}
		if i := r.Incident; i != nil {
			b = appendIncidentLine(b, i)
		}
		b = append(b, "</li>\n"...)
	}
	return template.HTML(b)
}

// appendIncidentLine appends the line of a target's open incident.
func appendIncidentLine(b []byte, i *incidentRef) []byte {
	b = append(b, "\n"+`<p class="incident"><a href="`...)
	b = append(b, esc(i.Path)...)
	b = append(b, `"><code class="cause">`...)
	b = append(b, esc(i.Cause)...)
	b = append(b, `</code></a> `...)
	b = append(b, esc(i.Title)...)
	b = append(b, ` · `...)
	b = append(b, esc(i.Persistence)...)
	b = append(b, ` · since <time datetime="`...)
	b = append(b, i.Since.RFC3339...)
	b = append(b, `" title="`...)
	b = append(b, i.Since.RFC3339...)
	b = append(b, `">`...)
	b = append(b, i.Since.Relative...)
	return append(b, `</time></p>`...)
}
