package sigma

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"flowsift/extract/table"
)

type nodeOp uint8

const (
	nFalse nodeOp = iota
	nTrue
	nAnd
	nOr
	nNot
	nLeaf
)

// node is the compiled condition: boolean operators over leaves, each
// leaf a predicate on one column view.
type node struct {
	op   nodeOp
	kids []*node
	leaf *leaf
}

var (
	trueNode  = &node{op: nTrue}
	falseNode = &node{op: nFalse}
)

func andNode(kids ...*node) *node {
	var out []*node
	for _, k := range kids {
		switch k.op {
		case nTrue:
			continue
		case nFalse:
			return falseNode
		case nAnd:
			out = append(out, k.kids...)
			continue
		}
		out = append(out, k)
	}
	switch len(out) {
	case 0:
		return trueNode
	case 1:
		return out[0]
	}
	return &node{op: nAnd, kids: out}
}

func orNode(kids ...*node) *node {
	var out []*node
	for _, k := range kids {
		switch k.op {
		case nFalse:
			continue
		case nTrue:
			return trueNode
		case nOr:
			out = append(out, k.kids...)
			continue
		}
		out = append(out, k)
	}
	switch len(out) {
	case 0:
		return falseNode
	case 1:
		return out[0]
	}
	return &node{op: nOr, kids: out}
}

func notNode(k *node) *node {
	switch k.op {
	case nTrue:
		return falseNode
	case nFalse:
		return trueNode
	case nNot:
		return k.kids[0]
	}
	return &node{op: nNot, kids: []*node{k}}
}

type leafKind uint8

const (
	lkValues leafKind = iota
	lkExists
	lkFieldRef
)

// pseudoComparison spots values like '> 70' that some legacy rules wrote
// instead of a comparison modifier; as Sigma they are literal strings that
// a number column never holds, so the rule would load but never match.
var pseudoComparison = regexp.MustCompile(`^\s*(?:[<>]=?|==?|!=)\s*-?[0-9]`)

type reMatcher struct {
	re  *regexp.Regexp
	src string
	// needles are folded literals one of which every match contains; nil
	// when the expression requires none worth prefiltering on.
	needles []string
}

// regexNeedles finds literals that any match of src must contain, so that
// regular expressions only run on rows the Aho-Corasick pass selected.
func regexNeedles(src string) []string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := requiredLiterals(re.Simplify())
	if len(lits) == 0 || len(lits) > 32 {
		return nil
	}
	for _, l := range lits {
		if len(l) < 2 {
			return nil
		}
	}
	slices.Sort(lits)
	return slices.Compact(lits)
}

func shortest(set []string) int {
	if len(set) == 0 {
		return -1
	}
	m := len(set[0])
	for _, s := range set {
		m = min(m, len(s))
	}
	return m
}

func requiredLiterals(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{fold(string(re.Rune))}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []string
		var run strings.Builder
		consider := func(set []string) {
			if shortest(set) > shortest(best) {
				best = set
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				run.WriteString(string(sub.Rune))
				continue
			}
			if run.Len() > 0 {
				consider([]string{fold(run.String())})
				run.Reset()
			}
			consider(requiredLiterals(sub))
		}
		if run.Len() > 0 {
			consider([]string{fold(run.String())})
		}
		return best
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			set := requiredLiterals(sub)
			if len(set) == 0 {
				return nil
			}
			out = append(out, set...)
		}
		return out
	}
	return nil
}

type cmpSpec struct {
	op  string
	num float64
}

type timeSpec struct {
	part string
	n    int64
}

// leaf is a predicate on one source: a row matches when any element of its
// value matches any of the leaf's matchers (lkValues), when it is present
// (lkExists), or when it relates to another source (lkFieldRef).
type leaf struct {
	kind leafKind
	src  *source
	// lkValues matchers, all ORed.
	folded    []*strMatcher       // case-insensitive, on folded text
	eqSet     map[string]struct{} // folded equality literals (from folded)
	cased     []*strMatcher       // case-sensitive, on text
	regexes   []*reMatcher        // on text
	ints      []int64             // integer equality on int and timestamp columns
	floats    []float64           // numeric equality on double columns
	bools     uint8               // bit 0: false matches, bit 1: true matches
	cmps      []cmpSpec
	nets      []netip.Prefix
	times     []timeSpec
	matchNull bool
	// lkFieldRef
	ref     *source
	refMode strOp
	// Prefilter: the Aho-Corasick needles of the source's automaton that
	// every matching row contains one of; acOnly when the needles decide
	// the match on their own (contains matchers only).
	needles   []int32
	prefilter bool
	acOnly    bool
}

// strMatchers returns every string matcher of the leaf.
func (l *leaf) strMatchers() []*strMatcher { return append(slices.Clip(l.folded), l.cased...) }

// ruleCompiler turns one rule's detection into a plan for one route.
type ruleCompiler struct {
	cfg      Config
	route    route
	srcs     *sourceSet
	warnings []string
	// leaves collects every leaf made, for the needle pass.
	leaves []*leaf
	// columns the plan reads.
	columns map[string]bool
}

func (c *ruleCompiler) source(key string) (*source, error) {
	s, err := c.srcs.get(key)
	if err != nil {
		return nil, err
	}
	for _, d := range s.deps {
		c.columns[d] = true
	}
	return s, nil
}

// compileRule builds the plan of a rule: its conditions ORed, ANDed with
// the logsource's implicit scope.
func (c *ruleCompiler) compileRule(r *Rule) (*node, error) {
	searches := map[string]*node{}
	var names []string
	for _, s := range r.Detection.Searches {
		names = append(names, s.Name)
	}
	referenced := map[string]bool{}
	for _, cond := range r.Detection.Conditions {
		markReferenced(cond.Expr, names, referenced)
	}
	for _, s := range r.Detection.Searches {
		if !referenced[s.Name] {
			// Unreferenced identifiers are not evaluated; they still must
			// be valid Sigma.
			if _, err := c.compileSearch(s, false); err != nil && !errors.Is(err, ErrUnsupported) {
				return nil, err
			}
			continue
		}
		n, err := c.compileSearch(s, true)
		if err != nil {
			return nil, err
		}
		searches[s.Name] = n
	}
	var conds []*node
	for _, cond := range r.Detection.Conditions {
		n, err := c.compileExpr(cond.Expr, searches, names, cond)
		if err != nil {
			return nil, err
		}
		if n == nil {
			return nil, errAt(cond.Pos, ErrInvalid, "condition %q is empty once selectors that match no identifier are dropped", cond.Text)
		}
		conds = append(conds, n)
	}
	plan := orNode(conds...)
	if c.route.scope != "" {
		scope, err := c.scopeNode(c.route.scope)
		if err != nil {
			return nil, err
		}
		plan = andNode(scope, plan)
	}
	if plan.op == nTrue {
		return nil, errAt(r.Detection.Pos, ErrUnsupported, "no constraint left once Windows-only fields are dropped: the rule would match every record")
	}
	if plan.op == nFalse {
		return nil, errAt(r.Detection.Pos, ErrUnsupported, "the condition can never be true over %s records", c.route.rt)
	}
	return plan, nil
}

func markReferenced(e Expr, names []string, out map[string]bool) {
	switch e := e.(type) {
	case *AndExpr:
		for _, x := range e.X {
			markReferenced(x, names, out)
		}
	case *OrExpr:
		for _, x := range e.X {
			markReferenced(x, names, out)
		}
	case *NotExpr:
		markReferenced(e.X, names, out)
	case *IdentExpr:
		out[e.Name] = true
	case *SelectorExpr:
		for _, n := range selectIdents(e, names) {
			out[n] = true
		}
	}
}

// compileExpr resolves a condition against the compiled searches with
// pySigma's treatment of selectors that match nothing: the operand is
// dropped (nil), and operators left without operands disappear too.
func (c *ruleCompiler) compileExpr(e Expr, searches map[string]*node, names []string, cond *Condition) (*node, error) {
	switch e := e.(type) {
	case *IdentExpr:
		n, ok := searches[e.Name]
		if !ok {
			return nil, errAt(cond.Pos, ErrInvalid, "condition refers to undefined search identifier %q", e.Name)
		}
		return n, nil
	case *SelectorExpr:
		ids := selectIdents(e, names)
		if len(ids) == 0 {
			c.warnings = append(c.warnings, fmt.Sprintf("line %d: %q matches no search identifier; dropped from the condition as pySigma does", cond.Pos.Line, e.String()))
			return nil, nil
		}
		kids := make([]*node, 0, len(ids))
		for _, id := range ids {
			kids = append(kids, searches[id])
		}
		if e.Quantifier == "all" {
			return andNode(kids...), nil
		}
		return orNode(kids...), nil
	case *NotExpr:
		k, err := c.compileExpr(e.X, searches, names, cond)
		if err != nil || k == nil {
			return nil, err
		}
		return notNode(k), nil
	case *AndExpr, *OrExpr:
		var xs []Expr
		if a, ok := e.(*AndExpr); ok {
			xs = a.X
		} else {
			xs = e.(*OrExpr).X
		}
		var kids []*node
		for _, x := range xs {
			k, err := c.compileExpr(x, searches, names, cond)
			if err != nil {
				return nil, err
			}
			if k != nil {
				kids = append(kids, k)
			}
		}
		if len(kids) == 0 {
			return nil, nil
		}
		if _, ok := e.(*AndExpr); ok {
			return andNode(kids...), nil
		}
		return orNode(kids...), nil
	}
	return nil, errAt(cond.Pos, ErrInvalid, "unknown condition expression")
}

func (c *ruleCompiler) compileSearch(s *Search, resolve bool) (*node, error) {
	var groups []*node
	for _, g := range s.Groups {
		var items []*node
		for _, it := range g.Items {
			is, warns, err := compileItem(it, c.cfg)
			c.warnings = append(c.warnings, warns...)
			if err != nil {
				return nil, err
			}
			if !resolve {
				continue
			}
			n, err := c.itemNode(is)
			if err != nil {
				return nil, err
			}
			items = append(items, n)
		}
		groups = append(groups, andNode(items...))
	}
	return orNode(groups...), nil
}

// itemNode builds the plan of one item: its values over every source its
// field resolves to.
func (c *ruleCompiler) itemNode(is *itemSpec) (*node, error) {
	it := is.item
	var targets []string
	if is.keyword {
		col, ok := keywordColumn[c.route.rt]
		if !ok {
			return nil, errAt(it.Pos, ErrUnsupported, "keyword (field-less) search needs a full-text column and %s records have none", c.route.rt)
		}
		targets = []string{col}
	} else {
		t, drop, err := fieldTargets(c.route, it.Field, c.cfg)
		if err != nil {
			return nil, errAt(it.Pos, ErrUnsupported, "%v", err)
		}
		if drop {
			return c.droppedField(is)
		}
		targets = t
	}
	srcs := make([]*source, 0, len(targets))
	for _, t := range targets {
		s, err := c.source(t)
		if err != nil {
			return nil, errAt(it.Pos, ErrUnsupported, "field %s: %v", it.Field, err)
		}
		srcs = append(srcs, s)
	}
	// Several target columns are ORed around the whole item, as pySigma's
	// one-to-many field mapping does: under |all every value must hold on
	// the same column.
	var alts []*node
	for _, s := range srcs {
		if is.all {
			var perValue []*node
			for _, variants := range is.values {
				k, err := c.valuesNode(s, variants, it)
				if err != nil {
					return nil, err
				}
				perValue = append(perValue, k)
			}
			alts = append(alts, andNode(perValue...))
			continue
		}
		var flat []valueSpec
		for _, variants := range is.values {
			flat = append(flat, variants...)
		}
		k, err := c.valuesNode(s, flat, it)
		if err != nil {
			return nil, err
		}
		alts = append(alts, k)
	}
	n := orNode(alts...)
	if is.neq {
		n = notNode(n)
	}
	return n, nil
}

// droppedField handles a Windows-only constraint under a remap: EventID
// must name a traffic event, anything else is dropped.
func (c *ruleCompiler) droppedField(is *itemSpec) (*node, error) {
	it := is.item
	if it.Field == "EventID" {
		ok := false
		for _, vs := range is.values {
			for _, v := range vs {
				if slices.Contains(remapEventIDs[c.route.remap], v.val.Text()) {
					ok = true
				}
			}
		}
		if !ok || is.neq {
			return nil, errAt(it.Pos, ErrUnsupported, "EventID %s is not a traffic event of this log", valuesText(is))
		}
	}
	c.warnings = append(c.warnings, fmt.Sprintf("line %d: host remapping drops the Windows-only constraint %s", it.Pos.Line, it.Key()))
	return trueNode, nil
}

func valuesText(is *itemSpec) string {
	var parts []string
	for _, vs := range is.values {
		if len(vs) > 0 {
			parts = append(parts, vs[0].val.Text())
		}
	}
	return strings.Join(parts, ", ")
}

// valuesNode makes the leaves for values on one source: one value-set leaf
// plus one leaf per existence test or field reference.
func (c *ruleCompiler) valuesNode(s *source, vals []valueSpec, it *Item) (*node, error) {
	l := &leaf{kind: lkValues, src: s}
	var extra []*node
	usable := false
	for _, v := range vals {
		switch v.kind {
		case vExists:
			el := &leaf{kind: lkExists, src: s}
			c.leaves = append(c.leaves, el)
			n := &node{op: nLeaf, leaf: el}
			if !v.exists {
				n = notNode(n)
			}
			extra = append(extra, n)
			continue
		case vFieldRef:
			n, err := c.fieldRefNode(s, v, it)
			if err != nil {
				return nil, err
			}
			extra = append(extra, n)
			continue
		}
		used, err := addValue(l, s, v)
		if err != nil {
			return nil, errAt(v.val.Pos, ErrUnsupported, "field %s: %v", it.Field, err)
		}
		usable = usable || used
	}
	if usable {
		finishLeaf(l)
		c.leaves = append(c.leaves, l)
		extra = append(extra, &node{op: nLeaf, leaf: l})
	}
	return orNode(extra...), nil
}

func (c *ruleCompiler) fieldRefNode(s *source, v valueSpec, it *Item) (*node, error) {
	t, drop, err := fieldTargets(c.route, v.ref, c.cfg)
	if err != nil || drop {
		if err == nil {
			err = fmt.Errorf("field %s is dropped by host remapping", v.ref)
		}
		return nil, errAt(v.val.Pos, ErrUnsupported, "fieldref: %v", err)
	}
	var alts []*node
	for _, key := range t {
		r, err := c.source(key)
		if err != nil {
			return nil, errAt(v.val.Pos, ErrUnsupported, "fieldref %s: %v", v.ref, err)
		}
		l := &leaf{kind: lkFieldRef, src: s, ref: r, refMode: v.refMode}
		c.leaves = append(c.leaves, l)
		alts = append(alts, &node{op: nLeaf, leaf: l})
	}
	return orNode(alts...), nil
}

// addValue adds one value's matcher to a value-set leaf, adapted to the
// source's column kind. It reports false for a value that can never match
// on this kind (a fractional number against integers).
func addValue(l *leaf, s *source, v valueSpec) (bool, error) {
	switch v.kind {
	case vNull:
		l.matchNull = true
		return true, nil
	case vNumber:
		switch s.kind {
		case table.Int64, table.Time:
			if !v.val.IsInt {
				return false, nil
			}
			l.ints = append(l.ints, v.val.Int)
			return true, nil
		case table.Float64:
			f, _ := v.val.Number()
			l.floats = append(l.floats, f)
			return true, nil
		}
		l.folded = append(l.folded, newStrMatcher(literalPattern(v.val.Text()), false))
		return true, nil
	case vBool:
		if s.kind == table.Bool {
			l.bools |= boolBit(v.val.Bool)
			return true, nil
		}
		l.folded = append(l.folded, newStrMatcher(literalPattern(v.val.Text()), false))
		return true, nil
	case vString:
		if pseudoComparison.MatchString(v.val.Raw) && s.kind != table.String && v.pat.plain() == v.val.Raw {
			return false, fmt.Errorf("value %q is a pseudo comparison that matches only that literal text; write %s|gt or |lt with a number", v.val.Raw, s.key)
		}
		if !v.cased && !v.pat.hasWildcards() {
			text := v.pat.plain()
			switch s.kind {
			case table.Int64, table.Time:
				if n, err := strconv.ParseInt(text, 10, 64); err == nil && strconv.FormatInt(n, 10) == text {
					l.ints = append(l.ints, n)
					return true, nil
				}
			case table.Bool:
				switch fold(text) {
				case "true":
					l.bools |= 2
					return true, nil
				case "false":
					l.bools |= 1
					return true, nil
				}
			}
		}
		m := newStrMatcher(v.pat, v.cased)
		if v.cased {
			l.cased = append(l.cased, m)
		} else {
			l.folded = append(l.folded, m)
		}
		return true, nil
	case vRegex:
		rm := &reMatcher{re: v.re, src: v.reSrc, needles: regexNeedles(v.reSrc)}
		l.regexes = append(l.regexes, rm)
		return true, nil
	case vCmp:
		if s.kind == table.Bool {
			return false, fmt.Errorf("numeric comparison %s on boolean column", v.op)
		}
		l.cmps = append(l.cmps, cmpSpec{op: v.op, num: v.num})
		return true, nil
	case vCIDR:
		l.nets = append(l.nets, v.prefix)
		return true, nil
	case vTime:
		if s.kind != table.Time {
			return false, fmt.Errorf("%s modifier needs a timestamp column, %s is %s", v.part, s.key, s.kind)
		}
		l.times = append(l.times, timeSpec{part: v.part, n: v.partN})
		return true, nil
	}
	return false, fmt.Errorf("unexpected value kind")
}

func boolBit(b bool) uint8 {
	if b {
		return 2
	}
	return 1
}

// finishLeaf builds the equality set when equality literals are numerous
// enough for a map lookup to beat comparisons.
func finishLeaf(l *leaf) {
	eq := 0
	for _, m := range l.folded {
		if m.op == opEq {
			eq++
		}
	}
	if eq < 4 {
		return
	}
	l.eqSet = make(map[string]struct{}, eq)
	rest := l.folded[:0:0]
	for _, m := range l.folded {
		if m.op == opEq {
			l.eqSet[m.lit] = struct{}{}
		} else {
			rest = append(rest, m)
		}
	}
	l.folded = rest
}

// scopeNode builds an implicit logsource condition.
func (c *ruleCompiler) scopeNode(name string) (*node, error) {
	switch name {
	case "rdp":
		svc, err := c.source("service")
		if err != nil {
			return nil, err
		}
		proto, err := c.source("proto")
		if err != nil {
			return nil, err
		}
		port, err := c.source("resp_p")
		if err != nil {
			return nil, err
		}
		ls := &leaf{kind: lkValues, src: svc, folded: []*strMatcher{newStrMatcher(parsePattern("*rdp*"), false)}}
		lp := &leaf{kind: lkValues, src: proto, folded: []*strMatcher{newStrMatcher(parsePattern("tcp"), false)}}
		lr := &leaf{kind: lkValues, src: port, ints: []int64{3389}}
		c.leaves = append(c.leaves, ls, lp, lr)
		return orNode(&node{op: nLeaf, leaf: ls}, andNode(&node{op: nLeaf, leaf: lp}, &node{op: nLeaf, leaf: lr})), nil
	}
	return nil, fmt.Errorf("unknown scope %q", name)
}
