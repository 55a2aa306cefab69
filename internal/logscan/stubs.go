package logscan

import "time"

type apacheError struct{ loc *time.Location }

func (p *apacheError) parse(line []byte, e *Entry) verdict { return lineMalformed }

type haproxyLog struct{ loc *time.Location }

func (p *haproxyLog) parse(line []byte, e *Entry) verdict { return lineMalformed }

type envoyLog struct{}

func (p *envoyLog) parse(line []byte, e *Entry) verdict { return lineMalformed }

type caddyLog struct{}

func (p *caddyLog) parse(line []byte, e *Entry) verdict { return lineMalformed }

type traefikLog struct{}

func (p *traefikLog) parse(line []byte, e *Entry) verdict { return lineMalformed }

type phpFPMLog struct{ loc *time.Location }

func (p *phpFPMLog) parse(line []byte, e *Entry) verdict { return lineMalformed }

type squidLog struct{}

func (p *squidLog) parse(line []byte, e *Entry) verdict { return lineMalformed }

type lighttpdLog struct{ loc *time.Location }

func (p *lighttpdLog) parse(line []byte, e *Entry) verdict { return lineMalformed }

type albLog struct{}

func (p *albLog) parse(line []byte, e *Entry) verdict { return lineMalformed }
