package sigma

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"flowsift/extract/table"
)

// view is one source's values for the rows of a batch. Text, folded text
// and parsed addresses are derived on first use and shared by every rule
// of the batch.
type view struct {
	n       int
	kind    table.Kind
	list    bool
	allNull bool
	null    []bool
	off     []int32
	strs    []string
	ints    []int64
	floats  []float64
	bools   []bool

	text     []string
	folded   []string
	foldDone []bool
	addrs    []netip.Addr
}

func (v *view) isNull(i int) bool {
	return v.allNull || v.null != nil && i < len(v.null) && v.null[i]
}

// span returns the element range of row i.
func (v *view) span(i int) (int, int) {
	if !v.list {
		return i, i + 1
	}
	if i+1 >= len(v.off) {
		return 0, 0
	}
	return int(v.off[i]), int(v.off[i+1])
}

// elems is the number of elements.
func (v *view) elems() int {
	if v.list {
		if len(v.off) == 0 {
			return 0
		}
		return int(v.off[len(v.off)-1])
	}
	return v.n
}

func (v *view) textAt(e int) string { return v.texts()[e] }

// intAt returns row i of a scalar integer column.
func (v *view) intAt(i int) (int64, bool) {
	if v.isNull(i) || v.list || v.kind != table.Int64 && v.kind != table.Time || i >= len(v.ints) {
		return 0, false
	}
	return v.ints[i], true
}

func (v *view) texts() []string {
	if v.text != nil {
		return v.text
	}
	m := v.elems()
	switch v.kind {
	case table.String:
		if len(v.strs) >= m {
			v.text = v.strs[:m:m]
		} else {
			v.text = append(make([]string, 0, m), v.strs...)
			v.text = v.text[:m]
		}
		if v.text == nil {
			v.text = []string{}
		}
		return v.text
	}
	t := make([]string, m)
	for e := range m {
		switch v.kind {
		case table.Int64:
			if e < len(v.ints) {
				t[e] = strconv.FormatInt(v.ints[e], 10)
			}
		case table.Time:
			if e < len(v.ints) {
				t[e] = time.Unix(0, v.ints[e]).UTC().Format(time.RFC3339Nano)
			}
		case table.Float64:
			if e < len(v.floats) {
				t[e] = strconv.FormatFloat(v.floats[e], 'f', -1, 64)
			}
		case table.Bool:
			if e < len(v.bools) && v.bools[e] {
				t[e] = "true"
			} else {
				t[e] = "false"
			}
		}
	}
	v.text = t
	return t
}

// foldedAt returns element e case-folded. Elements are folded on first
// use only: most rows are rejected by the Aho-Corasick prefilter, which
// folds ASCII on the fly, and never need a folded copy.
func (v *view) foldedAt(e int) string {
	if v.folded == nil {
		n := len(v.texts())
		v.folded = make([]string, n)
		v.foldDone = make([]bool, n)
	}
	if !v.foldDone[e] {
		v.folded[e] = fold(v.text[e])
		v.foldDone[e] = true
	}
	return v.folded[e]
}

func (v *view) addr(e int) netip.Addr {
	if v.addrs == nil {
		t := v.texts()
		v.addrs = make([]netip.Addr, len(t))
		for i, s := range t {
			if a, err := netip.ParseAddr(s); err == nil {
				v.addrs[i] = a.Unmap()
			}
		}
	}
	return v.addrs[e]
}

func (v *view) number(e int) (float64, bool) {
	switch v.kind {
	case table.Int64, table.Time:
		if e >= len(v.ints) {
			return 0, false
		}
		return float64(v.ints[e]), true
	case table.Float64:
		if e >= len(v.floats) {
			return 0, false
		}
		return v.floats[e], true
	case table.String:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.textAt(e)), 64)
		return f, err == nil
	}
	return 0, false
}

// columnView wraps a table column; a column the file lacks reads as null.
func columnView(c *table.Column, n int, kind table.Kind, list bool) *view {
	if c == nil {
		return &view{n: n, kind: kind, list: list, allNull: true, off: make([]int32, n+1)}
	}
	v := &view{n: n, kind: c.Kind, list: c.List, null: c.Null, off: c.Offsets, strs: c.Strs, ints: c.Ints, floats: c.Floats, bools: c.Bools}
	if v.list && len(v.off) < n+1 {
		v.allNull = true
		v.off = make([]int32, n+1)
	}
	if !v.list && v.elemsLen() < n {
		// A short column (bad input) must not index out of range.
		v.allNull = true
	}
	return v
}

func (v *view) elemsLen() int {
	switch v.kind {
	case table.String:
		return len(v.strs)
	case table.Int64, table.Time:
		return len(v.ints)
	case table.Float64:
		return len(v.floats)
	case table.Bool:
		return len(v.bools)
	}
	return 0
}

// batch evaluates plans over the rows of one table batch.
type batch struct {
	ts    *typeSet
	t     *table.Table
	n     int
	views map[*source]*view
	hits  map[*source][]bitmap
	full  bitmap
}

func newBatch(ts *typeSet, t *table.Table) *batch {
	return &batch{ts: ts, t: t, n: t.Rows, views: map[*source]*view{}, hits: map[*source][]bitmap{}, full: fullBitmap(t.Rows)}
}

func (b *batch) col(name string) *view {
	s, err := b.ts.srcs.get(name)
	if err != nil {
		return &view{n: b.n, allNull: true, off: make([]int32, b.n+1)}
	}
	return b.view(s)
}

func (b *batch) view(s *source) *view {
	if v := b.views[s]; v != nil {
		return v
	}
	var v *view
	if s.der == dNone {
		v = columnView(b.t.Column(s.col), b.n, s.kind, s.list)
	} else {
		v = b.derive(s)
	}
	b.views[s] = v
	return v
}

var schemeAuthority = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^/?]*`)

// uriPath is the path of a request target: scheme and authority of an
// absolute URI removed, query removed.
func uriPath(u string) string {
	if loc := schemeAuthority.FindStringIndex(u); loc != nil {
		u = u[loc[1]:]
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	return u
}

// uriExt is the extension of the path's last segment, without the dot.
func uriExt(path string) (string, bool) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 || i == len(path)-1 || strings.ContainsAny(path[i+1:], "/") {
		return "", false
	}
	return path[i+1:], true
}

// Synthesized firewall verdicts (FirewallVerdict): a flow whose handshake
// completed was let through; one that was reset at once was rejected; one
// never answered was probably dropped. The verdict is a list of the words
// firewall vendors use, so that a rule's action value matches whichever
// spelling it uses.
var (
	verdictAccepted = []string{"accept", "accepted", "allow", "allowed", "forward", "pass", "permit"}
	verdictRejected = []string{"reject", "rejected", "deny", "denied", "block", "blocked"}
	verdictDropped  = []string{"drop", "dropped", "deny", "denied", "block", "blocked"}
	stateVerdict    = map[string]int{"SF": 1, "S1": 1, "S2": 1, "S3": 1, "RSTO": 1, "RSTR": 1, "REJ": 2, "S0": 3, "RSTOS0": 3, "SH": 3}
)

func (b *batch) derive(s *source) *view {
	n := b.n
	v := &view{n: n, kind: s.kind, list: s.list}
	switch s.der {
	case dURIPath, dURIQuery, dURIExt, dAbsURI:
		u := b.col("uri")
		var host *view
		if s.der == dAbsURI {
			host = b.col("host")
		}
		v.strs = make([]string, n)
		v.null = make([]bool, n)
		for i := range n {
			if u.isNull(i) || u.list {
				v.null[i] = true
				continue
			}
			t := u.textAt(i)
			switch s.der {
			case dURIPath:
				v.strs[i] = uriPath(t)
			case dURIQuery:
				if k := strings.IndexByte(t, '?'); k >= 0 {
					v.strs[i] = t[k+1:]
				} else {
					v.null[i] = true
				}
			case dURIExt:
				if e, ok := uriExt(uriPath(t)); ok {
					v.strs[i] = e
				} else {
					v.null[i] = true
				}
			case dAbsURI:
				if strings.HasPrefix(t, "/") && !host.isNull(i) && !host.list {
					v.strs[i] = "http://" + host.textAt(i) + t
				} else {
					v.strs[i] = t
				}
			}
		}
	case dAction, dBlocked:
		cs := b.col("conn_state")
		v.null = make([]bool, n)
		if s.der == dAction {
			v.off = make([]int32, n+1)
		} else {
			v.bools = make([]bool, n)
		}
		for i := range n {
			verdict := 0
			if !cs.isNull(i) && !cs.list {
				verdict = stateVerdict[cs.textAt(i)]
			}
			if s.der == dBlocked {
				v.null[i] = verdict == 0
				v.bools[i] = verdict > 1
				continue
			}
			switch verdict {
			case 1:
				v.strs = append(v.strs, verdictAccepted...)
			case 2:
				v.strs = append(v.strs, verdictRejected...)
			case 3:
				v.strs = append(v.strs, verdictDropped...)
			default:
				v.null[i] = true
			}
			v.off[i+1] = int32(len(v.strs))
		}
	case dTrue:
		v.bools = make([]bool, n)
		for i := range v.bools {
			v.bools[i] = true
		}
	case dIsIPv6:
		ipv := b.col("ip_version")
		v.bools = make([]bool, n)
		v.null = make([]bool, n)
		for i := range n {
			n, ok := ipv.intAt(i)
			if !ok {
				v.null[i] = true
				continue
			}
			v.bools[i] = n == 6
		}
	}
	return v
}

// acHits runs the source's automaton over every row once per batch.
func (b *batch) acHits(s *source) []bitmap {
	if h, ok := b.hits[s]; ok {
		return h
	}
	a := b.ts.automata[s]
	h := make([]bitmap, len(b.ts.needles[s]))
	if a != nil {
		v := b.view(s)
		t := v.texts()
		for i := range b.n {
			if v.isNull(i) {
				continue
			}
			lo, hi := v.span(i)
			for e := lo; e < hi && e < len(t); e++ {
				if !a.markASCII(t[e], i, b.n, h) {
					a.mark(v.foldedAt(e), i, b.n, h)
				}
			}
		}
	}
	b.hits[s] = h
	return h
}

// eval returns the rows of cand for which the plan holds. It never
// modifies cand.
func (b *batch) eval(nd *node, cand bitmap) bitmap {
	switch nd.op {
	case nTrue:
		return cand.clone()
	case nFalse:
		return newBitmap(b.n)
	case nAnd:
		cur := cand
		for _, k := range nd.kids {
			cur = b.eval(k, cur)
			if cur.empty() {
				break
			}
		}
		if len(nd.kids) == 0 {
			return cand.clone()
		}
		return cur
	case nOr:
		res := newBitmap(b.n)
		rem := cand.clone()
		for _, k := range nd.kids {
			r := b.eval(k, rem)
			res.orWith(r)
			rem.andNotWith(r)
			if rem.empty() {
				break
			}
		}
		return res
	case nNot:
		r := b.eval(nd.kids[0], cand)
		out := cand.clone()
		out.andNotWith(r)
		return out
	}
	return b.evalLeaf(nd.leaf, cand)
}

func (b *batch) evalLeaf(l *leaf, cand bitmap) bitmap {
	v := b.view(l.src)
	out := newBitmap(b.n)
	switch l.kind {
	case lkExists:
		cand.each(func(i int) {
			if !v.isNull(i) {
				out.set(i)
			}
		})
		return out
	case lkFieldRef:
		r := b.view(l.ref)
		cand.each(func(i int) {
			if fieldRefMatch(v, r, i, l.refMode) {
				out.set(i)
			}
		})
		return out
	}
	c := cand
	if l.prefilter {
		h := b.acHits(l.src)
		pre := newBitmap(b.n)
		for _, id := range l.needles {
			if h[id] != nil {
				pre.orWith(h[id])
			}
		}
		pre.andWith(cand)
		if l.acOnly {
			return pre
		}
		c = pre
	}
	c.each(func(i int) {
		if l.matchRow(v, i) {
			out.set(i)
		}
	})
	return out
}

func (l *leaf) matchRow(v *view, i int) bool {
	if v.isNull(i) {
		return l.matchNull
	}
	lo, hi := v.span(i)
	for e := lo; e < hi; e++ {
		if l.matchElem(v, e) {
			return true
		}
	}
	return false
}

func (l *leaf) matchElem(v *view, e int) bool {
	if len(l.folded) > 0 || l.eqSet != nil {
		s := v.foldedAt(e)
		if l.eqSet != nil {
			if _, ok := l.eqSet[s]; ok {
				return true
			}
		}
		for _, m := range l.folded {
			if m.match(s) {
				return true
			}
		}
	}
	if len(l.cased) > 0 || len(l.regexes) > 0 {
		s := v.textAt(e)
		for _, m := range l.cased {
			if m.match(s) {
				return true
			}
		}
		for _, m := range l.regexes {
			if m.re.MatchString(s) {
				return true
			}
		}
	}
	if len(l.ints) > 0 && (v.kind == table.Int64 || v.kind == table.Time) && e < len(v.ints) {
		x := v.ints[e]
		for _, n := range l.ints {
			if x == n {
				return true
			}
		}
	}
	if len(l.floats) > 0 && v.kind == table.Float64 && e < len(v.floats) {
		x := v.floats[e]
		for _, f := range l.floats {
			if x == f {
				return true
			}
		}
	}
	if l.bools != 0 && v.kind == table.Bool && e < len(v.bools) && l.bools&boolBit(v.bools[e]) != 0 {
		return true
	}
	if len(l.cmps) > 0 {
		if x, ok := v.number(e); ok {
			for _, c := range l.cmps {
				if compare(x, c.op, c.num) {
					return true
				}
			}
		}
	}
	if len(l.nets) > 0 {
		if a := v.addr(e); a.IsValid() {
			for _, p := range l.nets {
				if p.Contains(a) {
					return true
				}
			}
		}
	}
	if len(l.times) > 0 && v.kind == table.Time && e < len(v.ints) {
		t := time.Unix(0, v.ints[e]).UTC()
		for _, ts := range l.times {
			if timePart(t, ts.part) == ts.n {
				return true
			}
		}
	}
	return false
}

func compare(x float64, op string, n float64) bool {
	switch op {
	case "lt":
		return x < n
	case "lte":
		return x <= n
	case "gt":
		return x > n
	case "gte":
		return x >= n
	case "eq":
		return x == n
	case "neq":
		return x != n
	}
	return false
}

func timePart(t time.Time, part string) int64 {
	switch part {
	case "minute":
		return int64(t.Minute())
	case "hour":
		return int64(t.Hour())
	case "day":
		return int64(t.Day())
	case "week":
		_, w := t.ISOWeek()
		return int64(w)
	case "month":
		return int64(t.Month())
	}
	return int64(t.Year())
}

// fieldRefMatch compares two fields of a row case-insensitively, any
// element against any element.
func fieldRefMatch(a, b *view, i int, mode strOp) bool {
	if a.isNull(i) || b.isNull(i) {
		return false
	}
	na, nb := len(a.texts()), len(b.texts())
	alo, ahi := a.span(i)
	blo, bhi := b.span(i)
	for x := alo; x < ahi && x < na; x++ {
		for y := blo; y < bhi && y < nb; y++ {
			s, t := a.foldedAt(x), b.foldedAt(y)
			var ok bool
			switch mode {
			case opPrefix:
				ok = strings.HasPrefix(s, t)
			case opSuffix:
				ok = strings.HasSuffix(s, t)
			case opContains:
				ok = strings.Contains(s, t)
			default:
				ok = s == t
			}
			if ok {
				return true
			}
		}
	}
	return false
}
