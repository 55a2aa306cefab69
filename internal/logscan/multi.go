package logscan

// multiParser reads a file that holds two logs, as a container's output
// holds its access log on stdout and its error log on stderr: each line
// goes to the first format that reads it.
type multiParser struct {
	ps      [2]parser
	formats [2]*format
	po      parseOptions
}

func newMultiParser(c choice, po parseOptions, sample [][]byte) *multiParser {
	return &multiParser{
		ps:      [2]parser{c.first.build(po, sample), c.other.build(po, sample)},
		formats: [2]*format{c.first, c.other},
		po:      po,
	}
}

func (m *multiParser) parse(line []byte, e *Entry) verdict {
	for i, p := range m.ps {
		v := p.parse(line, e)
		if v == lineMalformed {
			*e = Entry{}
			continue
		}
		if v == lineFailure && m.formats[i].kind == kindError {
			e.explains = true
		}
		return v
	}
	return lineMalformed
}

func (m *multiParser) clone() parser {
	c := *m
	for i, p := range m.ps {
		if cl, ok := p.(cloner); ok {
			c.ps[i] = cl.clone()
		} else {
			c.ps[i] = m.formats[i].build(m.po, nil)
		}
	}
	return &c
}

// setText lets the parsers that can leave their failures' strings in a
// textBuf do so: a container's error lines are read as a file of error
// lines alone is.
func (m *multiParser) setText(t *textBuf) {
	for _, p := range m.ps {
		if tp, ok := p.(textParser); ok {
			tp.setText(t)
		}
	}
}
