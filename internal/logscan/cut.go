package logscan

// cut shortens s to n runes, marking the cut with "…". The parsers bound
// the fields they copy from a line with it.
func cut(s string, n int) string {
	if n <= 1 || len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
