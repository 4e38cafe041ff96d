package sigma

import (
	"errors"
	"fmt"
	"strings"
)

// ErrSyntax is wrapped by errors for text that is not well-formed: YAML
// that does not parse, a condition that does not follow the grammar, a
// regular expression that does not compile.
var ErrSyntax = errors.New("sigma: syntax error")

// ErrInvalid is wrapped by errors for rules that parse but break the Sigma
// specification: a missing title or condition, an unknown modifier, a value
// of the wrong type for its modifier, a reference to an undefined search
// identifier.
var ErrInvalid = errors.New("sigma: invalid rule")

// ErrUnsupported is wrapped by errors for valid rules this engine cannot
// evaluate over pcap-derived tables: a logsource without a record type, a
// field without a column, an unexpanded placeholder. Such rules are
// reported as skipped, never loaded silently.
var ErrUnsupported = errors.New("sigma: unsupported")

// ErrNoSQL is wrapped by errors for rules that have no faithful SQL
// translation (correlations, IPv6 CIDR ranges, values with control bytes).
// The translator refuses instead of emitting SQL that would disagree with
// the Go engine.
var ErrNoSQL = errors.New("sigma: no SQL translation")

// ErrLimit is wrapped by errors when a configured bound (rule file size,
// expansion count, correlation events) is exceeded.
var ErrLimit = errors.New("sigma: limit exceeded")

// RuleError locates a problem in a rule file. Line and Column are 1-based;
// zero means unknown. Err is one of the sentinels above, possibly wrapping
// a lower-level cause.
type RuleError struct {
	File   string
	Line   int
	Column int
	// Rule is the rule's id, or its title when it has no id.
	Rule string
	Msg  string
	Err  error
}

// Error renders file:line:column: rule id: message.
func (e *RuleError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %s: ", e.Rule)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the sentinel (ErrSyntax, ErrInvalid, ...).
func (e *RuleError) Unwrap() error { return e.Err }

// Detail is the message with its position but without the file and rule,
// for reports that already name them.
func (e *RuleError) Detail() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// reason renders an error for a report entry.
func reason(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Detail()
	}
	return err.Error()
}

// errAt builds a RuleError at a position; the file and rule are filled in
// by the caller that knows them.
func errAt(p Pos, sentinel error, format string, args ...any) *RuleError {
	return &RuleError{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// Pos is a 1-based line and column in a rule file.
type Pos struct {
	Line   int
	Column int
}
