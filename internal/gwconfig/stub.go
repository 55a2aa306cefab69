package gwconfig

import "net/url"

type Apache struct{}

func ParseApache(string) (*Apache, error)          { return nil, nil }
func (h *Apache) Route(u *url.URL) (*Route, error) { return nil, nil }

func checkApache(*Apache) []Finding { return nil }
