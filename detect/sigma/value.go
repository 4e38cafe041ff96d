package sigma

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokLit  tokKind = iota // literal text
	tokStar                // * : any run of characters, possibly empty
	tokOne                 // ? : exactly one character
)

type strTok struct {
	kind tokKind
	s    string
}

// pattern is a Sigma string split into literal runs and wildcards.
type pattern []strTok

// parsePattern splits a Sigma string value the way pySigma's SigmaString
// does: * and ? are wildcards; a backslash before *, ? or \ makes that
// character literal; a backslash before anything else is kept together
// with the character; a trailing lone backslash is literal.
func parsePattern(s string) pattern {
	var p pattern
	var acc strings.Builder
	flush := func() {
		if acc.Len() > 0 {
			p = append(p, strTok{tokLit, acc.String()})
			acc.Reset()
		}
	}
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			if r != '*' && r != '?' && r != '\\' {
				acc.WriteByte('\\')
			}
			acc.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == '*':
			flush()
			p = append(p, strTok{kind: tokStar})
		case r == '?':
			flush()
			p = append(p, strTok{kind: tokOne})
		default:
			acc.WriteRune(r)
		}
	}
	if escaped {
		acc.WriteByte('\\')
	}
	flush()
	return p
}

// literalPattern is a pattern that matches s exactly.
func literalPattern(s string) pattern {
	if s == "" {
		return nil
	}
	return pattern{{tokLit, s}}
}

func (p pattern) hasWildcards() bool {
	for _, t := range p {
		if t.kind != tokLit {
			return true
		}
	}
	return false
}

// plain concatenates the literal runs; meaningful when there are no
// wildcards.
func (p pattern) plain() string {
	var b strings.Builder
	for _, t := range p {
		if t.kind == tokLit {
			b.WriteString(t.s)
		}
	}
	return b.String()
}

func (p pattern) startsWithStar() bool { return len(p) > 0 && p[0].kind == tokStar }
func (p pattern) endsWithStar() bool   { return len(p) > 0 && p[len(p)-1].kind == tokStar }

func (p pattern) withLeadingStar() pattern {
	if p.startsWithStar() {
		return p
	}
	return append(pattern{{kind: tokStar}}, p...)
}

func (p pattern) withTrailingStar() pattern {
	if p.endsWithStar() {
		return p
	}
	return append(p.clone(), strTok{kind: tokStar})
}

func (p pattern) clone() pattern { return append(pattern(nil), p...) }

// String renders the pattern in Sigma syntax, escaping what needs it, so
// that parsePattern(p.String()) equals p.
func (p pattern) String() string {
	var b strings.Builder
	for i, t := range p {
		switch t.kind {
		case tokStar:
			b.WriteByte('*')
		case tokOne:
			b.WriteByte('?')
		default:
			s := t.s
			for j := 0; j < len(s); j++ {
				c := s[j]
				switch c {
				case '*', '?':
					b.WriteByte('\\')
					b.WriteByte(c)
				case '\\':
					// A backslash is ambiguous only before a special
					// character or at the very end of the value.
					next := byte(0)
					if j+1 < len(s) {
						next = s[j+1]
					} else if i+1 < len(p) {
						next = '*' // followed by a wildcard token
					}
					if next == '*' || next == '?' || next == '\\' || next == 0 && i == len(p)-1 {
						b.WriteString(`\\`)
					} else {
						b.WriteByte('\\')
					}
				default:
					b.WriteByte(c)
				}
			}
		}
	}
	return b.String()
}

// mapLiterals applies f to every literal run.
func (p pattern) mapLiterals(f func(string) string) pattern {
	out := make(pattern, 0, len(p)+1)
	for _, t := range p {
		if t.kind == tokLit {
			t.s = f(t.s)
		}
		out = append(out, t)
	}
	return out
}

func utf16LE(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

func utf16BE(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u >> 8))
		b.WriteByte(byte(u))
	}
	return b.String()
}

// base64Offsets returns the three substrings that appear in the Base64
// encoding of any text containing s, one per byte alignment (pySigma's
// base64offset).
func base64Offsets(s string) []string {
	start := [3]int{0, 2, 3}
	endTrim := [3]int{0, 3, 2} // characters dropped from the end
	out := make([]string, 0, 3)
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + s))
		lo := start[i]
		hi := len(enc) - endTrim[(len(s)+i)%3]
		if lo > hi {
			lo = hi
		}
		out = append(out, enc[lo:hi])
	}
	return out
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// windashVariants expands every - or / that starts a word (pySigma's
// \B[-/]\b) into -, /, en dash, em dash and horizontal bar. Each literal
// run is scanned on its own, as pySigma does.
func windashVariants(p pattern, limit int) ([]pattern, error) {
	type site struct{ tok, off int }
	var sites []site
	for ti, t := range p {
		if t.kind != tokLit {
			continue
		}
		rs := []rune(t.s)
		off := 0
		for i, r := range rs {
			if (r == '-' || r == '/') && (i == 0 || !isWordRune(rs[i-1])) && i+1 < len(rs) && isWordRune(rs[i+1]) {
				sites = append(sites, site{ti, off})
			}
			off += utf8.RuneLen(r)
		}
	}
	dashes := []string{"-", "/", "\u2013", "\u2014", "\u2015"}
	total := 1
	for range sites {
		total *= len(dashes)
		if total > limit {
			return nil, fmt.Errorf("windash: %d dash positions expand to more than %d variants: %w", len(sites), limit, ErrLimit)
		}
	}
	out := make([]pattern, 0, total)
	choice := make([]int, len(sites))
	for {
		v := p.clone()
		// Replace from the last site backwards so earlier offsets stay valid.
		for k := len(sites) - 1; k >= 0; k-- {
			st := sites[k]
			s := v[st.tok].s
			v[st.tok].s = s[:st.off] + dashes[choice[k]] + s[st.off+1:]
		}
		out = append(out, v)
		k := len(sites) - 1
		for k >= 0 {
			choice[k]++
			if choice[k] < len(dashes) {
				break
			}
			choice[k] = 0
			k--
		}
		if k < 0 {
			return out, nil
		}
	}
}

var placeholderRE = regexp.MustCompile(`%([^%]+)%`)

// expandPlaceholders replaces %name% in literal runs with each configured
// value (a cartesian product when several appear). \% is a literal
// percent sign. missing lists placeholders without configured values.
func expandPlaceholders(p pattern, values map[string][]string, limit int) (out []pattern, missing []string, err error) {
	type part struct {
		pat  pattern
		name string // placeholder name when pat is nil
	}
	var parts []part
	for _, t := range p {
		if t.kind != tokLit {
			parts = append(parts, part{pat: pattern{t}})
			continue
		}
		s := t.s
		last := 0
		for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
			if m[0] > 0 && s[m[0]-1] == '\\' {
				continue
			}
			if lit := strings.ReplaceAll(s[last:m[0]], `\%`, "%"); lit != "" {
				parts = append(parts, part{pat: literalPattern(lit)})
			}
			parts = append(parts, part{name: s[m[2]:m[3]]})
			last = m[1]
		}
		if lit := strings.ReplaceAll(s[last:], `\%`, "%"); lit != "" {
			parts = append(parts, part{pat: literalPattern(lit)})
		}
	}
	out = []pattern{nil}
	for _, pt := range parts {
		if pt.name == "" {
			for i := range out {
				out[i] = append(out[i], pt.pat...)
			}
			continue
		}
		vals, ok := values[pt.name]
		if !ok {
			missing = append(missing, pt.name)
			continue
		}
		if len(out)*len(vals) > limit {
			return nil, nil, fmt.Errorf("expand: more than %d variants: %w", limit, ErrLimit)
		}
		next := make([]pattern, 0, len(out)*len(vals))
		for _, o := range out {
			for _, v := range vals {
				next = append(next, append(o.clone(), parsePattern(v)...))
			}
		}
		out = next
	}
	if len(missing) > 0 {
		return nil, missing, nil
	}
	for i := range out {
		out[i] = out[i].normalize()
	}
	return out, nil, nil
}

// normalize merges adjacent literal runs.
func (p pattern) normalize() pattern {
	var out pattern
	for _, t := range p {
		if t.kind == tokLit {
			if t.s == "" {
				continue
			}
			if n := len(out); n > 0 && out[n-1].kind == tokLit {
				out[n-1].s += t.s
				continue
			}
		}
		out = append(out, t)
	}
	return out
}
