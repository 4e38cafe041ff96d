package sigma

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ValueKind is the YAML type of a detection value, resolved the way
// PyYAML (and so pySigma, the reference implementation) resolves plain
// scalars: YAML 1.1 rules, so that an unquoted 00000429 stays a string and
// "on" is a boolean. yaml.v3 alone would apply YAML 1.2 rules.
type ValueKind uint8

// Value kinds.
const (
	KindString ValueKind = iota + 1
	KindNumber
	KindBool
	KindNull
)

var valueKindNames = [...]string{"", "string", "number", "boolean", "null"}

// String names the kind.
func (k ValueKind) String() string {
	if int(k) < len(valueKindNames) {
		return valueKindNames[k]
	}
	return "unknown"
}

// Value is one scalar of a detection, with its exact source text.
type Value struct {
	Kind ValueKind
	// Raw is the scalar's text as written (after YAML unquoting).
	Raw string
	// Int and Float hold a number; IsInt tells which one is exact.
	Int   int64
	Float float64
	IsInt bool
	Bool  bool
	Pos   Pos
}

// Text returns the value as the text Sigma compares: strings as written,
// numbers in canonical decimal, booleans as true/false.
func (v Value) Text() string {
	switch v.Kind {
	case KindNumber:
		if v.IsInt {
			return strconv.FormatInt(v.Int, 10)
		}
		return strconv.FormatFloat(v.Float, 'f', -1, 64)
	case KindBool:
		if v.Bool {
			return "true"
		}
		return "false"
	case KindNull:
		return ""
	}
	return v.Raw
}

// Number returns the value as a float64 and whether it is numeric: a number,
// or a string that parses as one (SigmaHQ quotes many numbers).
func (v Value) Number() (float64, bool) {
	switch v.Kind {
	case KindNumber:
		if v.IsInt {
			return float64(v.Int), true
		}
		return v.Float, true
	case KindString:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Raw), 64)
		if err != nil || math.IsNaN(f) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

var (
	yamlInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
)

func nodePos(n *yaml.Node) Pos { return Pos{Line: n.Line, Column: n.Column} }

// scalarValue resolves a scalar node. Quoted and block scalars are always
// strings; explicit standard tags are honoured; plain scalars follow YAML
// 1.1 as PyYAML implements it.
func scalarValue(n *yaml.Node) (Value, error) {
	v := Value{Raw: n.Value, Pos: nodePos(n)}
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.Tag {
		case "!!str", "tag:yaml.org,2002:str", "!!timestamp", "!!binary":
			v.Kind = KindString
			return v, nil
		case "!!null":
			v.Kind = KindNull
			return v, nil
		case "!!bool":
			b, ok := yaml11Bool(n.Value)
			if !ok {
				return v, errAt(v.Pos, ErrInvalid, "value %q tagged !!bool is not a boolean", n.Value)
			}
			v.Kind, v.Bool = KindBool, b
			return v, nil
		case "!!int", "!!float":
			if !resolveNumber(&v, n.Value) {
				return v, errAt(v.Pos, ErrInvalid, "value %q tagged %s is not a number", n.Value, n.Tag)
			}
			return v, nil
		default:
			return v, errAt(v.Pos, ErrInvalid, "unsupported YAML tag %s", n.Tag)
		}
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		v.Kind = KindString
		return v, nil
	}
	s := n.Value
	switch s {
	case "", "~", "null", "Null", "NULL":
		v.Kind = KindNull
		return v, nil
	}
	if b, ok := yaml11Bool(s); ok {
		v.Kind, v.Bool = KindBool, b
		return v, nil
	}
	if resolveNumber(&v, s) {
		return v, nil
	}
	v.Kind = KindString
	return v, nil
}

func yaml11Bool(s string) (bool, bool) {
	switch s {
	case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return true, true
	case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return false, true
	}
	return false, false
}

// resolveNumber applies PyYAML's int and float resolvers; integers that
// overflow int64 become floats rather than errors.
func resolveNumber(v *Value, s string) bool {
	if yamlInt.MatchString(s) {
		t := strings.ReplaceAll(s, "_", "")
		neg := false
		if t != "" && (t[0] == '-' || t[0] == '+') {
			neg = t[0] == '-'
			t = t[1:]
		}
		var n int64
		var err error
		switch {
		case strings.HasPrefix(t, "0b"):
			n, err = strconv.ParseInt(t[2:], 2, 64)
		case strings.HasPrefix(t, "0x"):
			n, err = strconv.ParseInt(t[2:], 16, 64)
		case strings.Contains(t, ":"):
			n, err = sexagesimal(t)
		case len(t) > 1 && t[0] == '0':
			n, err = strconv.ParseInt(t[1:], 8, 64)
		default:
			n, err = strconv.ParseInt(t, 10, 64)
		}
		v.Kind = KindNumber
		if err != nil {
			f, ferr := strconv.ParseFloat(t, 64)
			if ferr != nil && !isRangeErr(ferr) {
				v.Kind = KindString
				return false
			}
			if neg {
				f = -f
			}
			v.Float = f
			return true
		}
		if neg {
			n = -n
		}
		v.Int, v.Float, v.IsInt = n, float64(n), true
		return true
	}
	if yamlFloat.MatchString(s) {
		t := strings.ReplaceAll(s, "_", "")
		var f float64
		switch strings.ToLower(strings.TrimLeft(t, "+-")) {
		case ".inf":
			f = math.Inf(1)
			if strings.HasPrefix(t, "-") {
				f = math.Inf(-1)
			}
		case ".nan":
			f = math.NaN()
		default:
			if strings.Contains(t, ":") {
				return false // base-60 floats: too exotic to guess at; keep the text
			}
			var err error
			f, err = strconv.ParseFloat(t, 64)
			if err != nil && !isRangeErr(err) {
				return false
			}
		}
		v.Kind, v.Float = KindNumber, f
		return true
	}
	return false
}

func isRangeErr(err error) bool { return errors.Is(err, strconv.ErrRange) }

func sexagesimal(t string) (int64, error) {
	var n int64
	for _, part := range strings.Split(t, ":") {
		d, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return 0, err
		}
		if n > math.MaxInt64/60 {
			return 0, strconv.ErrRange
		}
		n = n*60 + d
	}
	return n, nil
}
