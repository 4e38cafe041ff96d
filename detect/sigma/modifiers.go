package sigma

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// modifierNames maps every Sigma v2.1 modifier to its canonical name.
var modifierNames = map[string]string{
	"contains": "contains", "startswith": "startswith", "endswith": "endswith", "all": "all",
	"exists": "exists", "cased": "cased", "neq": "neq", "windash": "windash",
	"re": "re", "i": "i", "ignorecase": "i", "m": "m", "multiline": "m", "s": "s", "dotall": "s",
	"base64": "base64", "base64offset": "base64offset",
	"utf16le": "utf16le", "wide": "utf16le", "utf16be": "utf16be", "utf16": "utf16",
	"lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte",
	"minute": "minute", "hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year",
	"cidr": "cidr", "expand": "expand", "fieldref": "fieldref",
}

type vkind uint8

const (
	vString vkind = iota
	vNumber
	vBool
	vNull
	vRegex
	vExists
	vCmp
	vCIDR
	vTime
	vFieldRef
)

// valueSpec is one rule value after its modifier chain.
type valueSpec struct {
	kind    vkind
	pat     pattern // vString
	cased   bool    // vString
	val     Value   // the YAML value (vNumber, vBool, and for messages)
	re      *regexp.Regexp
	reSrc   string // the expression with flags, as compiled
	exists  bool
	op      string // vCmp
	num     float64
	prefix  netip.Prefix
	part    string // vTime
	partN   int64
	ref     string // vFieldRef: the other field
	refMode strOp  // opEq, opPrefix, opSuffix, opContains
}

// itemSpec is a detection item with every value compiled.
type itemSpec struct {
	item    *Item
	keyword bool
	all     bool
	neq     bool
	// values holds, per value as written, its variants (windash,
	// base64offset, expand), which are ORed even under |all.
	values [][]valueSpec
}

var unsupportedRE = regexp.MustCompile(`\(\?[=!]|\(\?<[=!]|\(\?>|\(\?P=|\\[1-9]|[*+?}][+]`)

// compileItem applies an item's modifier chain to each of its values.
func compileItem(it *Item, cfg Config) (*itemSpec, []string, error) {
	is := &itemSpec{item: it, keyword: it.Field == ""}
	var warnings []string
	mods := make([]string, len(it.Modifiers))
	for i, m := range it.Modifiers {
		mods[i] = modifierNames[m]
	}
	bad := func(format string, args ...any) error {
		return errAt(it.Pos, ErrInvalid, "key %q: %s", it.Key(), fmt.Sprintf(format, args...))
	}
	for _, m := range mods {
		switch m {
		case "all":
			is.all = true
		case "neq":
			is.neq = true
		}
	}
	if is.all && len(it.Values) == 1 {
		warnings = append(warnings, fmt.Sprintf("line %d: key %q: |all with a single value has no effect", it.Pos.Line, it.Key()))
	}
	total := 0
	for _, v := range it.Values {
		vs, err := applyChain(v, mods, is.keyword, cfg, bad)
		if err != nil {
			return nil, warnings, err
		}
		total += len(vs)
		if total > cfg.MaxExpansion {
			return nil, warnings, errAt(it.Pos, ErrLimit, "key %q: values expand to more than %d variants", it.Key(), cfg.MaxExpansion)
		}
		is.values = append(is.values, vs)
	}
	return is, warnings, nil
}

func applyChain(v Value, mods []string, keyword bool, cfg Config, bad func(string, ...any) error) ([]valueSpec, error) {
	var cur []valueSpec
	switch v.Kind {
	case KindString:
		cur = []valueSpec{{kind: vString, pat: parsePattern(v.Raw), val: v}}
	case KindNumber:
		cur = []valueSpec{{kind: vNumber, val: v}}
	case KindBool:
		cur = []valueSpec{{kind: vBool, val: v}}
	default:
		cur = []valueSpec{{kind: vNull, val: v}}
	}
	// stringify turns a number or boolean into a string for modifiers that
	// need one; SigmaHQ writes sc-status|contains: '200', pySigma would
	// reject an unquoted 200 there, we accept it.
	stringify := func(s *valueSpec) {
		if s.kind == vNumber || s.kind == vBool {
			s.kind, s.pat = vString, literalPattern(s.val.Text())
		}
	}
	valueMods := 0 // modifiers that transform values, for "must be first" checks
	for _, m := range mods {
		if m == "all" || m == "neq" {
			continue
		}
		first := valueMods == 0
		valueMods++
		var next []valueSpec
		for _, s := range cur {
			switch m {
			case "contains", "startswith", "endswith":
				stringify(&s)
				switch s.kind {
				case vString:
					if m != "endswith" {
						s.pat = s.pat.withTrailingStar()
					}
					if m != "startswith" {
						s.pat = s.pat.withLeadingStar()
					}
				case vRegex:
					// Regular expressions search anywhere already.
				case vFieldRef:
					switch {
					case m == "contains", m == "startswith" && s.refMode == opSuffix, m == "endswith" && s.refMode == opPrefix:
						s.refMode = opContains
					case m == "startswith" && s.refMode == opEq:
						s.refMode = opPrefix
					case m == "endswith" && s.refMode == opEq:
						s.refMode = opSuffix
					}
				default:
					return nil, bad("%s needs a string value, not %s", m, kindWord(s))
				}
			case "cased":
				stringify(&s)
				if s.kind != vString {
					return nil, bad("cased needs a string value, not %s", kindWord(s))
				}
				s.cased = true
			case "exists":
				if keyword {
					return nil, bad("exists needs a field")
				}
				if !first || len(mods) > 1 && !onlyListMods(mods) {
					return nil, bad("exists cannot be combined with other modifiers")
				}
				b, ok := boolOf(s.val)
				if !ok {
					return nil, bad("exists needs true or false, not %q", s.val.Raw)
				}
				s = valueSpec{kind: vExists, exists: b, val: s.val}
			case "re":
				if !first {
					return nil, bad("re must be the first modifier")
				}
				if s.kind != vString {
					return nil, bad("re needs a string value, not %s", kindWord(s))
				}
				s = valueSpec{kind: vRegex, reSrc: s.val.Raw, val: s.val}
			case "i", "m", "s":
				if s.kind != vRegex {
					return nil, bad("regular expression flag %s needs re before it", m)
				}
				s.reSrc = addRegexFlag(s.reSrc, m)
			case "base64", "base64offset":
				stringify(&s)
				if s.kind != vString {
					return nil, bad("%s needs a string value, not %s", m, kindWord(s))
				}
				if s.pat.hasWildcards() {
					return nil, bad("%s of a value with wildcards is not allowed", m)
				}
				if m == "base64" {
					s.pat = literalPattern(base64.StdEncoding.EncodeToString([]byte(s.pat.plain())))
				} else {
					for _, o := range base64Offsets(s.pat.plain()) {
						t := s
						t.pat = literalPattern(o)
						next = append(next, t)
					}
					continue
				}
			case "utf16le", "utf16be", "utf16":
				stringify(&s)
				if s.kind != vString {
					return nil, bad("%s needs a string value, not %s", m, kindWord(s))
				}
				switch m {
				case "utf16le":
					s.pat = s.pat.mapLiterals(utf16LE)
				case "utf16be":
					s.pat = s.pat.mapLiterals(utf16BE)
				default:
					s.pat = append(pattern{{tokLit, "\xff\xfe"}}, s.pat.mapLiterals(utf16LE)...).normalize()
				}
			case "windash":
				stringify(&s)
				if s.kind != vString {
					return nil, bad("windash needs a string value, not %s", kindWord(s))
				}
				vars, err := windashVariants(s.pat, cfg.MaxExpansion)
				if err != nil {
					return nil, bad("%v", err)
				}
				for _, p := range vars {
					t := s
					t.pat = p
					next = append(next, t)
				}
				continue
			case "expand":
				if s.kind == vRegex {
					return nil, errAt(s.val.Pos, ErrUnsupported, "expand inside a regular expression is not supported")
				}
				if s.kind != vString {
					return nil, bad("expand needs a string value, not %s", kindWord(s))
				}
				vars, missing, err := expandPlaceholders(s.pat, cfg.Placeholders, cfg.MaxExpansion)
				if err != nil {
					return nil, bad("%v", err)
				}
				if len(missing) > 0 {
					return nil, errAt(s.val.Pos, ErrUnsupported, "placeholder %%%s%% has no configured values (set them in the placeholders configuration)", strings.Join(missing, "%, %"))
				}
				for _, p := range vars {
					t := s
					t.pat = p
					next = append(next, t)
				}
				continue
			case "lt", "lte", "gt", "gte":
				f, ok := s.val.Number()
				if !ok || s.kind != vNumber && s.kind != vString {
					return nil, bad("%s needs a number, not %q", m, s.val.Raw)
				}
				s = valueSpec{kind: vCmp, op: m, num: f, val: s.val}
			case "minute", "hour", "day", "week", "month", "year":
				if s.kind != vNumber || !s.val.IsInt {
					return nil, bad("%s needs an integer, not %q", m, s.val.Raw)
				}
				s = valueSpec{kind: vTime, part: m, partN: s.val.Int, val: s.val}
			case "cidr":
				if !first {
					return nil, bad("cidr must be the first modifier")
				}
				if s.kind != vString {
					return nil, bad("cidr needs a network, not %s", kindWord(s))
				}
				p, err := parseCIDR(s.val.Raw)
				if err != nil {
					return nil, bad("%v", err)
				}
				s = valueSpec{kind: vCIDR, prefix: p, val: s.val}
			case "fieldref":
				if keyword {
					return nil, bad("fieldref needs a field")
				}
				if s.kind != vString || s.pat.hasWildcards() {
					return nil, bad("fieldref needs a field name without wildcards, not %q", s.val.Raw)
				}
				s = valueSpec{kind: vFieldRef, ref: s.pat.plain(), refMode: opEq, val: s.val}
			}
			next = append(next, s)
		}
		cur = next
	}
	for i := range cur {
		s := &cur[i]
		if s.kind == vRegex {
			re, err := regexp.Compile(s.reSrc)
			if err != nil {
				if unsupportedRE.MatchString(s.val.Raw) {
					return nil, errAt(s.val.Pos, ErrUnsupported, "regular expression %q uses syntax RE2 does not support (look-around, back-references, possessive or atomic groups)", s.val.Raw)
				}
				return nil, errAt(s.val.Pos, ErrSyntax, "regular expression %q: %v", s.val.Raw, err)
			}
			s.re = re
		}
		if keyword {
			switch s.kind {
			case vNumber, vBool:
				stringify(s)
			case vNull:
				return nil, bad("a keyword cannot be null")
			}
			if s.kind == vString {
				// Keywords search the full text: an implicit contains.
				s.pat = s.pat.withLeadingStar().withTrailingStar()
			}
		} else if s.kind == vNull && valueMods > 0 {
			return nil, bad("null cannot take value modifiers")
		}
	}
	return cur, nil
}

func onlyListMods(mods []string) bool {
	n := 0
	for _, m := range mods {
		if m != "all" && m != "neq" {
			n++
		}
	}
	return n <= 1
}

func kindWord(s valueSpec) string {
	switch s.kind {
	case vNull:
		return "null"
	case vRegex:
		return "a regular expression"
	case vCIDR:
		return "a network"
	case vCmp, vTime:
		return "a comparison"
	case vFieldRef:
		return "a field reference"
	case vExists:
		return "an existence test"
	case vNumber:
		return "a number"
	case vBool:
		return "a boolean"
	}
	return "a string"
}

func boolOf(v Value) (bool, bool) {
	switch v.Kind {
	case KindBool:
		return v.Bool, true
	case KindString:
		switch strings.ToLower(v.Raw) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// addRegexFlag records a flag in a leading (?flags) group.
func addRegexFlag(src, flag string) string {
	if strings.HasPrefix(src, "(?") {
		if end := strings.IndexByte(src, ')'); end > 2 && !strings.ContainsAny(src[2:end], ":=!<>P") {
			if strings.Contains(src[2:end], flag) {
				return src
			}
			return "(?" + src[2:end] + flag + src[end:]
		}
	}
	return "(?" + flag + ")" + src
}

// parseCIDR parses a network the way pySigma's strict ip_network does: a
// bare address is a host network, host bits must be zero.
func parseCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("cidr %q: not an address or network", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("cidr %q: not a network", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("cidr %q has host bits set (network is %s)", s, p.Masked())
	}
	return p, nil
}
