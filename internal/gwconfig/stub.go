package gwconfig

import "net/url"

type HAProxy struct{}

func ParseHAProxy(string) (*HAProxy, error)         { return nil, nil }
func (h *HAProxy) Route(u *url.URL) (*Route, error) { return nil, nil }

type Apache struct{}

func ParseApache(string) (*Apache, error)          { return nil, nil }
func (h *Apache) Route(u *url.URL) (*Route, error) { return nil, nil }

func checkHAProxy(*HAProxy) []Finding { return nil }
func checkApache(*Apache) []Finding   { return nil }
