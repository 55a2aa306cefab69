package fingerprint

import (
	"bytes"
	"html"
	"regexp"
	"strings"
)

var (
	// Content that a browser does not show.
	hiddenRe = regexp.MustCompile(`(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->`)
	titleRe  = regexp.MustCompile(`(?is)<title\b.*?</title\s*>`)
	// Tags after which a browser starts a new line.
	blockRe = regexp.MustCompile(`(?i)</?(?:br|p|div|h[1-6]|hr|center|li|ul|ol|tr|table|title|address|pre|body|html|head|header|footer|section|main|dl|dt|dd|blockquote)\b[^>]*>`)
	spaceRe = regexp.MustCompile(`[ \t\f\v\p{Zs}]+`)
)

// VisibleText returns what a browser shows of an HTML page, as someone
// who selects the page and copies it pastes it: one line per block, the
// title left out.
func VisibleText(page []byte) string { return visibleText(page, false) }

// visibleText returns what a browser shows of page: tags, scripts, styles
// and comments removed, entities decoded, one line per block, blank lines
// dropped. Text that is no HTML keeps its lines. With title, the title
// counts as a line of its own (tabs show it; the page itself does not).
func visibleText(page []byte, title bool) string {
	s := string(page)
	if isMarkup(page) {
		s = hiddenRe.ReplaceAllString(s, " ")
		if !title {
			s = titleRe.ReplaceAllString(s, " ")
		}
		s = blockRe.ReplaceAllString(s, "\n")
		s = tagRe.ReplaceAllString(s, " ")
		s = html.UnescapeString(s)
	}
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(spaceRe.ReplaceAllString(strings.TrimRight(line, "\r"), " "))
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return strings.ToValidUTF8(b.String(), "")
}

// isMarkup reports whether page holds HTML tags.
func isMarkup(page []byte) bool {
	i := bytes.IndexByte(page, '<')
	return i >= 0 && bytes.IndexByte(page[i:], '>') > 0 && tagRe.Match(page)
}
