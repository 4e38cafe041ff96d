package sigma

import (
	"fmt"
	"strings"
)

// Expr is a parsed condition expression. The concrete types are *AndExpr,
// *OrExpr, *NotExpr, *IdentExpr and *SelectorExpr. String renders an
// expression that parses back to an equal tree.
type Expr interface {
	String() string
	expr()
}

// AndExpr is true when every operand is true.
type AndExpr struct{ X []Expr }

// OrExpr is true when any operand is true.
type OrExpr struct{ X []Expr }

// NotExpr negates its operand.
type NotExpr struct{ X Expr }

// IdentExpr refers to one search identifier.
type IdentExpr struct {
	Name string
	// Offset is the byte offset of the name in the condition text.
	Offset int
}

// SelectorExpr is "1 of P", "any of P" or "all of P", where P is an
// identifier pattern with * wildcards or the word them.
type SelectorExpr struct {
	// Quantifier is "1", "any" or "all" as written.
	Quantifier string
	Pattern    string
	Offset     int
}

func (*AndExpr) expr()      {}
func (*OrExpr) expr()       {}
func (*NotExpr) expr()      {}
func (*IdentExpr) expr()    {}
func (*SelectorExpr) expr() {}

// String renders the operands in parentheses, joined by and.
func (e *AndExpr) String() string { return joinExprs(e.X, " and ") }

// String renders the operands in parentheses, joined by or.
func (e *OrExpr) String() string { return joinExprs(e.X, " or ") }

// String renders the negation.
func (e *NotExpr) String() string { return "not " + e.X.String() }

// String renders the identifier.
func (e *IdentExpr) String() string {
	return e.Name
}

// String renders the selector as written.
func (e *SelectorExpr) String() string { return e.Quantifier + " of " + e.Pattern }

func joinExprs(xs []Expr, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = x.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// maxConditionDepth bounds nesting so that a hostile condition cannot
// exhaust the stack.
const maxConditionDepth = 200

// maxConditionLen bounds the condition text.
const maxConditionLen = 64 << 10

type condToken struct {
	text string
	off  int
}

// ConditionError is a syntax error in a condition, at a byte offset of the
// condition text.
type ConditionError struct {
	Offset int
	Msg    string
}

// Error gives the 1-based column and the problem.
func (e *ConditionError) Error() string {
	return fmt.Sprintf("condition column %d: %s", e.Offset+1, e.Msg)
}

// Unwrap lets callers test for ErrSyntax.
func (e *ConditionError) Unwrap() error { return ErrSyntax }

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '*'
}

func lexCondition(s string) ([]condToken, error) {
	var toks []condToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{s[i : i+1], i})
			i++
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, condToken{s[i:j], i})
			i = j
		case c == '|':
			return nil, &ConditionError{i, "pipe aggregation must follow a complete expression"}
		default:
			r := []rune(s[i:])[0]
			return nil, &ConditionError{i, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return toks, nil
}

type condParser struct {
	toks  []condToken
	pos   int
	end   int // offset reported for "end of condition"
	depth int
}

// ParseCondition parses a condition expression (without a legacy
// aggregation pipe). Operator words are lower case only, as in pySigma;
// identifiers are case-sensitive.
func ParseCondition(s string) (Expr, error) {
	if len(s) > maxConditionLen {
		return nil, &ConditionError{0, fmt.Sprintf("condition longer than %d bytes", maxConditionLen)}
	}
	toks, err := lexCondition(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, &ConditionError{0, "empty condition"}
	}
	p := &condParser{toks: toks, end: len(s)}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		t := p.toks[p.pos]
		return nil, &ConditionError{t.off, fmt.Sprintf("unexpected %q after a complete expression%s", t.text, upperHint(t.text))}
	}
	return e, nil
}

func upperHint(w string) string {
	switch strings.ToLower(w) {
	case "and", "or", "not", "of", "them", "all", "any":
		if w != strings.ToLower(w) {
			return " (operators are lower case)"
		}
	}
	return ""
}

func (p *condParser) peek() (condToken, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return condToken{}, false
}

func (p *condParser) parseOr() (Expr, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	xs := []Expr{first}
	for {
		t, ok := p.peek()
		if !ok || t.text != "or" {
			break
		}
		p.pos++
		x, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	if len(xs) == 1 {
		return first, nil
	}
	return &OrExpr{X: xs}, nil
}

func (p *condParser) parseAnd() (Expr, error) {
	first, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	xs := []Expr{first}
	for {
		t, ok := p.peek()
		if !ok || t.text != "and" {
			break
		}
		p.pos++
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	if len(xs) == 1 {
		return first, nil
	}
	return &AndExpr{X: xs}, nil
}

func (p *condParser) parseNot() (Expr, error) {
	t, ok := p.peek()
	if ok && t.text == "not" {
		p.pos++
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxConditionDepth {
			return nil, &ConditionError{t.off, "condition nested too deeply"}
		}
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &NotExpr{X: x}, nil
	}
	return p.parseTerm()
}

func (p *condParser) parseTerm() (Expr, error) {
	t, ok := p.peek()
	if !ok {
		return nil, &ConditionError{p.end, "expression expected at end of condition"}
	}
	switch t.text {
	case "(":
		p.pos++
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxConditionDepth {
			return nil, &ConditionError{t.off, "condition nested too deeply"}
		}
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok {
			return nil, &ConditionError{t.off, "unclosed parenthesis"}
		}
		if c.text != ")" {
			return nil, &ConditionError{c.off, fmt.Sprintf("expected ) but found %q%s", c.text, upperHint(c.text))}
		}
		p.pos++
		return e, nil
	case ")":
		return nil, &ConditionError{t.off, "unexpected )"}
	case "and", "or", "of":
		return nil, &ConditionError{t.off, fmt.Sprintf("operand expected before %q", t.text)}
	}
	// A quantifier is only a quantifier when "of" follows, so that an
	// identifier named "1" or "all" still works as an identifier.
	if (t.text == "1" || t.text == "any" || t.text == "all") && p.pos+1 < len(p.toks) && p.toks[p.pos+1].text == "of" {
		if p.pos+2 >= len(p.toks) {
			return nil, &ConditionError{p.end, "identifier pattern expected after \"of\""}
		}
		pat := p.toks[p.pos+2]
		if pat.text == "(" || pat.text == ")" {
			return nil, &ConditionError{pat.off, "identifier pattern expected after \"of\""}
		}
		if strings.Contains(pat.text, "-") {
			return nil, &ConditionError{pat.off, fmt.Sprintf("identifier pattern %q: only letters, digits, _ and * are allowed", pat.text)}
		}
		p.pos += 3
		return &SelectorExpr{Quantifier: t.text, Pattern: pat.text, Offset: t.off}, nil
	}
	if strings.Contains(t.text, "*") {
		return nil, &ConditionError{t.off, fmt.Sprintf("wildcard %q outside \"1 of\" / \"all of\"", t.text)}
	}
	if t.text == "them" {
		return nil, &ConditionError{t.off, "\"them\" outside \"1 of\" / \"all of\""}
	}
	p.pos++
	return &IdentExpr{Name: t.text, Offset: t.off}, nil
}

// matchIdentPattern reports whether identifier name full-matches pattern,
// where * is any run of characters.
func matchIdentPattern(pattern, name string) bool {
	segs := strings.Split(pattern, "*")
	if len(segs) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, segs[0]) {
		return false
	}
	rest := name[len(segs[0]):]
	last := segs[len(segs)-1]
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(rest, seg)
		if i < 0 {
			return false
		}
		rest = rest[i+len(seg):]
	}
	return len(rest) >= len(last) && strings.HasSuffix(rest, last)
}

// selectIdents returns the identifiers a selector refers to, in detection
// order. them means every identifier; either way identifiers starting with
// _ are left out unless the pattern itself starts with _ (pySigma keeps
// filter-injected identifiers apart that way).
func selectIdents(s *SelectorExpr, names []string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, "_") && !strings.HasPrefix(s.Pattern, "_") {
			continue
		}
		if s.Pattern == "them" || matchIdentPattern(s.Pattern, n) {
			out = append(out, n)
		}
	}
	return out
}
