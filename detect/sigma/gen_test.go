package sigma

import (
	"fmt"
	"net/netip"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"flowsift/extract/table"
)

// The generator builds records from a compiled rule's own values: it picks
// truth values for the plan's leaves that make the whole condition true
// (or false), then searches, column by column, for a value that gives
// every leaf on that column its wanted truth. Candidates come from the
// leaves' literals, regular expressions, numbers and networks, and their
// concatenations. Nothing here is written per rule.

// assignment maps leaves to wanted truth values.
type assignment map[*leaf]bool

const maxAssignments = 64

// assign lists leaf assignments under which nd evaluates to want.
func assign(nd *node, want bool) []assignment {
	switch nd.op {
	case nTrue:
		if want {
			return []assignment{{}}
		}
		return nil
	case nFalse:
		if want {
			return nil
		}
		return []assignment{{}}
	case nLeaf:
		return []assignment{{nd.leaf: want}}
	case nNot:
		return assign(nd.kids[0], !want)
	}
	product := nd.op == nAnd && want || nd.op == nOr && !want
	if !product {
		var out []assignment
		for _, k := range nd.kids {
			out = append(out, assign(k, want)...)
			if len(out) >= maxAssignments {
				return out[:maxAssignments]
			}
		}
		return out
	}
	out := []assignment{{}}
	for _, k := range nd.kids {
		alts := assign(k, want)
		var next []assignment
		for _, a := range out {
			for _, b := range alts {
				if m, ok := mergeAssign(a, b); ok {
					next = append(next, m)
				}
				if len(next) >= maxAssignments {
					break
				}
			}
		}
		out = next
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

func mergeAssign(a, b assignment) (assignment, bool) {
	m := make(assignment, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		if w, ok := m[k]; ok && w != v {
			return nil, false
		}
		m[k] = v
	}
	return m, true
}

// override is a with b's wants taking precedence.
func override(a, b assignment) assignment {
	m := make(assignment, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// primary is the table column a leaf's source is generated through.
func primary(s *source) string {
	switch s.der {
	case dURIPath, dURIQuery, dURIExt, dAbsURI:
		return "uri"
	case dAction, dBlocked:
		return "conn_state"
	case dIsIPv6:
		return "ip_version"
	case dTrue:
		return ""
	}
	return s.col
}

// generator searches records for one compiled rule.
type generator struct {
	rt RecordType
	ts *typeSet
}

// generate returns a record under which every leaf in a has its wanted
// value, or false.
func (g *generator) generate(a assignment) (map[string]any, bool) {
	byCol := map[string][]*leaf{}
	for l := range a {
		if c := primary(l.src); c != "" {
			byCol[c] = append(byCol[c], l)
		}
		if l.kind == lkFieldRef {
			if c := primary(l.ref); c != "" {
				byCol[c] = append(byCol[c], l)
			}
		}
	}
	cols := make([]string, 0, len(byCol))
	for c := range byCol {
		cols = append(cols, c)
	}
	// uri last: its derived forms read host; fieldref partners after their
	// source columns.
	sort.Slice(cols, func(i, j int) bool {
		ri, rj := cols[i] == "uri", cols[j] == "uri"
		if ri != rj {
			return rj
		}
		return cols[i] < cols[j]
	})
	rec := map[string]any{}
	for _, c := range cols {
		found := false
		for _, cand := range g.candidates(c, byCol[c], a, rec) {
			if cand == nil {
				delete(rec, c)
			} else {
				rec[c] = cand
			}
			if g.satisfied(a, rec, c) {
				found = true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return rec, g.satisfied(a, rec, "")
}

// satisfied checks every leaf whose columns are all decided (all leaves
// when upto is "").
func (g *generator) satisfied(a assignment, rec map[string]any, upto string) bool {
	tb, err := makeTable(g.rt, []map[string]any{rec})
	if err != nil {
		return false
	}
	b := newBatch(g.ts, tb)
	for l, want := range a {
		if upto != "" && primary(l.src) != upto && (l.kind != lkFieldRef || primary(l.ref) != upto) {
			continue
		}
		if l.src.der == dAbsURI && upto == "host" {
			continue
		}
		got := !b.evalLeaf(l, b.full).empty()
		if got != want {
			return false
		}
	}
	return true
}

const filler = "zq"

// samples returns example strings a leaf's matchers accept.
func leafSamples(l *leaf, kind table.Kind) []string {
	fill := filler
	if kind == table.Int64 || kind == table.Float64 {
		fill = "9"
	}
	var out []string
	for _, m := range l.strMatchers() {
		out = append(out, patternSample(m.pat, fill))
	}
	for lit := range l.eqSet {
		out = append(out, lit)
	}
	for _, r := range l.regexes {
		if p, err := syntax.Parse(r.src, syntax.Perl); err == nil {
			out = append(out, regexSample(p))
		}
	}
	for _, n := range l.ints {
		out = append(out, strconv.FormatInt(n, 10))
	}
	for _, f := range l.floats {
		out = append(out, strconv.FormatFloat(f, 'f', -1, 64))
	}
	for _, c := range l.cmps {
		switch c.op {
		case "gt":
			out = append(out, strconv.FormatFloat(c.num+1, 'f', -1, 64))
		case "lt":
			out = append(out, strconv.FormatFloat(c.num-1, 'f', -1, 64))
		default:
			out = append(out, strconv.FormatFloat(c.num, 'f', -1, 64))
		}
	}
	for _, p := range l.nets {
		a := p.Addr()
		if p.Bits() < a.BitLen() {
			a = a.Next()
		}
		out = append(out, a.String())
	}
	if l.bools&2 != 0 {
		out = append(out, "true")
	}
	if l.bools&1 != 0 {
		out = append(out, "false")
	}
	for _, ts := range l.times {
		out = append(out, timeSample(ts))
	}
	if l.kind == lkExists {
		out = append(out, filler)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func timeSample(ts timeSpec) string {
	t := time.Date(2024, 6, 5, 12, 30, 0, 0, time.UTC)
	switch ts.part {
	case "minute":
		t = time.Date(2024, 6, 5, 12, int(ts.n), 0, 0, time.UTC)
	case "hour":
		t = time.Date(2024, 6, 5, int(ts.n), 30, 0, 0, time.UTC)
	case "day":
		t = time.Date(2024, 6, int(ts.n), 12, 30, 0, 0, time.UTC)
	case "week":
		t = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, 7*int(ts.n-1))
	case "month":
		t = time.Date(2024, time.Month(ts.n), 5, 12, 30, 0, 0, time.UTC)
	case "year":
		t = time.Date(int(ts.n), 6, 5, 12, 30, 0, 0, time.UTC)
	}
	return t.Format(time.RFC3339)
}

func patternSample(p pattern, fill string) string {
	var b strings.Builder
	for _, t := range p {
		switch t.kind {
		case tokStar:
			b.WriteString(fill)
		case tokOne:
			b.WriteString(fill[:1])
		default:
			b.WriteString(t.s)
		}
	}
	return b.String()
}

// regexSample produces a string the expression matches in the common cases
// (literals, classes, repetition, alternation); callers verify it.
func regexSample(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		return string(re.Rune)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for _, r := range []rune{'a', 'A', '0', '-', '.'} {
				if r >= re.Rune[i] && r <= re.Rune[i+1] {
					return string(r)
				}
			}
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1] >= 0x21 {
				return string(max(re.Rune[i], 0x21))
			}
		}
		if len(re.Rune) > 0 {
			return string(re.Rune[0])
		}
		return ""
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return "a"
	case syntax.OpCapture:
		return regexSample(re.Sub[0])
	case syntax.OpPlus:
		return regexSample(re.Sub[0])
	case syntax.OpRepeat:
		return strings.Repeat(regexSample(re.Sub[0]), re.Min)
	case syntax.OpConcat:
		var b strings.Builder
		for _, s := range re.Sub {
			b.WriteString(regexSample(s))
		}
		return b.String()
	case syntax.OpAlternate:
		return regexSample(re.Sub[0])
	}
	return ""
}

// candidates lists values to try for a column, most specific first.
func (g *generator) candidates(col string, leaves []*leaf, a assignment, rec map[string]any) []any {
	ct := schemas[g.rt][col]
	var samples []string
	for _, l := range leaves {
		if !a[l] {
			continue
		}
		if l.kind == lkFieldRef {
			// Copy the partner's value: equal, prefix, suffix and contains
			// all hold for a value and itself.
			other := l.src
			if primary(l.src) == col {
				other = l.ref
			}
			if v, ok := rec[primary(other)]; ok {
				samples = append(samples, oracleText(v))
			}
			continue
		}
		for _, s := range leafSamples(l, ct.kind) {
			switch l.src.der {
			case dURIQuery:
				s = "/" + filler + "?" + s
			case dURIExt:
				s = "/" + filler + "." + s
			case dAction:
				s = map[bool]string{true: "SF", false: "REJ"}[slices.Contains(verdictAccepted, fold(s))]
				if slices.Contains(verdictDropped, fold(s)) && !slices.Contains(verdictRejected, fold(s)) {
					s = "S0"
				}
			case dBlocked:
				s = map[string]string{"true": "REJ", "false": "SF"}[s]
			case dIsIPv6:
				s = map[string]string{"true": "6", "false": "4"}[s]
			}
			samples = append(samples, s)
		}
	}
	// Near misses of the leaves that must not hold keep a non-matching
	// record close to the rule (a prefix moved inward, one character
	// changed) instead of leaving the column empty.
	var misses []string
	for _, l := range leaves {
		if !a[l] && l.kind == lkValues {
			for _, m := range nearMisses(l, ct.kind) {
				switch l.src.der {
				case dURIQuery:
					m = "/" + filler + "?" + m
				case dURIExt:
					m = "/" + filler + "." + m
				case dNone:
				default:
					continue
				}
				misses = append(misses, m)
			}
		}
	}
	var strs []string
	strs = append(strs, samples...)
	if len(samples) == 0 {
		strs = append(strs, misses...)
	}
	// Concatenations satisfy several contains/prefix/suffix leaves at once;
	// path, extension and query pieces of a URI combine in that order.
	if len(samples) > 1 && len(samples) <= 6 {
		perm(samples, func(p []string) {
			strs = append(strs, strings.Join(p, ""), strings.Join(p, filler))
		})
	} else if len(samples) > 6 {
		strs = append(strs, strings.Join(samples, ""), strings.Join(samples, filler))
	}
	var out []any
	convert := func(s string) (any, bool) {
		switch ct.kind {
		case table.Int64:
			n, err := strconv.ParseInt(s, 10, 64)
			return n, err == nil
		case table.Float64:
			f, err := strconv.ParseFloat(s, 64)
			return f, err == nil
		case table.Bool:
			b, err := strconv.ParseBool(s)
			return b, err == nil
		}
		return s, true
	}
	if ct.list {
		if len(samples) > 0 {
			var elems []any
			for _, s := range samples {
				if v, ok := convert(s); ok {
					elems = append(elems, v)
				}
			}
			out = append(out, elems)
			for _, s := range strs {
				if v, ok := convert(s); ok {
					out = append(out, []any{v})
				}
			}
		}
		out = append(out, nil, []any{}, []any{neutral(ct.kind)})
		return out
	}
	for _, s := range strs {
		if v, ok := convert(s); ok {
			out = append(out, v)
		}
	}
	out = append(out, nil, neutral(ct.kind), "", int64(1), false, true)
	// Drop candidates of the wrong Go type for the column.
	kept := out[:0]
	for _, v := range out {
		if v == nil || typeFits(ct.kind, v) {
			kept = append(kept, v)
		}
	}
	return kept
}

func typeFits(k table.Kind, v any) bool {
	switch v.(type) {
	case string:
		return k == table.String || k == table.Time
	case int64:
		return k == table.Int64 || k == table.Time
	case float64:
		return k == table.Float64
	case bool:
		return k == table.Bool
	}
	return false
}

func neutral(k table.Kind) any {
	switch k {
	case table.Int64:
		return int64(65001)
	case table.Float64:
		return 0.125
	case table.Bool:
		return false
	case table.Time:
		return "2024-06-05T12:30:00Z"
	}
	return "neutral-" + filler
}

func perm(xs []string, f func([]string)) {
	var rec func(int)
	p := slices.Clone(xs)
	rec = func(k int) {
		if k == len(p) {
			f(p)
			return
		}
		for i := k; i < len(p); i++ {
			p[k], p[i] = p[i], p[k]
			rec(k + 1)
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0)
}

// genPair builds a matching and a non-matching record for a compiled rule.
// The non-matching record starts from the matching one and flips the
// leaves of one way to make the condition false, so filters get
// triggered rather than everything left empty.
func genPair(rs *Ruleset, cr *compiledRule) (pos, neg map[string]any, err error) {
	g := &generator{rt: cr.route.rt, ts: rs.types[cr.route.rt]}
	var posA assignment
	for _, a := range assign(cr.plan, true) {
		if r, ok := g.generate(a); ok {
			pos, posA = r, a
			break
		}
	}
	if pos == nil {
		return nil, nil, fmt.Errorf("no matching record found")
	}
	negs := assign(cr.plan, false)
	for _, a := range negs {
		if r, ok := g.generate(override(posA, a)); ok {
			return pos, r, nil
		}
	}
	for _, a := range negs {
		if r, ok := g.generate(a); ok {
			return pos, r, nil
		}
	}
	return pos, nil, fmt.Errorf("no non-matching record found")
}

// nearMisses returns values just outside what a leaf accepts.
func nearMisses(l *leaf, kind table.Kind) []string {
	fill := filler
	if kind == table.Int64 || kind == table.Float64 {
		fill = "9"
	}
	var out []string
	for _, m := range l.strMatchers() {
		lit := m.lit
		if lit == "" && len(m.segs) > 0 {
			lit = m.segs[0]
		}
		switch m.op {
		case opEq:
			out = append(out, m.lit+fill, fill+m.lit)
		case opPrefix:
			out = append(out, fill+m.lit)
		case opSuffix:
			out = append(out, m.lit+fill)
		case opContains, opStars, opGlob:
			if len(lit) >= 2 {
				out = append(out, lit[:len(lit)/2]+"_"+lit[len(lit)/2:])
			}
		}
	}
	for lit := range l.eqSet {
		out = append(out, lit+fill)
	}
	for _, n := range l.ints {
		out = append(out, strconv.FormatInt(n+1, 10))
	}
	for _, c := range l.cmps {
		switch c.op {
		case "gt":
			out = append(out, strconv.FormatFloat(c.num, 'f', -1, 64))
		case "lt":
			out = append(out, strconv.FormatFloat(c.num, 'f', -1, 64))
		case "gte":
			out = append(out, strconv.FormatFloat(c.num-1, 'f', -1, 64))
		case "lte":
			out = append(out, strconv.FormatFloat(c.num+1, 'f', -1, 64))
		}
	}
	if len(l.nets) > 0 {
		out = append(out, "203.0.113.7", "2001:db8::7", "10.20.30.40", "8.8.8.8")
	}
	for _, r := range l.regexes {
		if p, err := syntax.Parse(r.src, syntax.Perl); err == nil {
			s := regexSample(p)
			if len(s) > 1 {
				out = append(out, s[:len(s)-1]+"~")
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

var _ = netip.Addr{}
