package sigma

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// corrRef links a base rule to a correlation that consumes its matches.
type corrRef struct {
	corr  *compiledCorr
	ref   int32     // position in the correlation's rules list
	group []*source // one per group-by field
	value []*source // the condition field(s), for value_* types
}

// compiledCorr is a correlation ready to run over collected events.
type compiledCorr struct {
	c    *Correlation
	id   string
	refs []*compiledRule
}

// corrEvent is one base-rule match kept for correlation.
type corrEvent struct {
	ts       int64
	ref      int32
	key      string // group-by values joined by \x1f
	val      string // value_count: the field value(s)
	num      float64
	hasNum   bool
	evidence string
	src      string
	dst      string
	capture  string
}

func (cc *compiledCorr) recordTypes() RecordType {
	var rts []string
	for _, r := range cc.refs {
		rts = append(rts, string(r.route.rt))
	}
	slices.Sort(rts)
	return RecordType(strings.Join(slices.Compact(rts), ","))
}

// compileCorrelation resolves a correlation's rule references and its
// group-by and value fields in each referenced rule's record type.
func (rs *Ruleset) compileCorrelation(cfg Config, c *Correlation, byRef map[string]*refTarget) (*compiledCorr, error) {
	cc := &compiledCorr{c: c, id: c.ID}
	if cc.id == "" {
		cc.id = c.Name
	}
	if cc.id == "" {
		cc.id = c.Title
	}
	for _, name := range c.Rules {
		t := byRef[name]
		if t == nil {
			return nil, errAt(c.Pos, ErrUnsupported, "correlation refers to %q, which is not a loaded detection rule (correlations of correlations are not supported)", name)
		}
		if t.err != nil {
			return nil, errAt(c.Pos, ErrUnsupported, "referenced rule %q is not evaluated: %v", name, t.err)
		}
		cc.refs = append(cc.refs, t.cr)
	}
	if err := rs.bindCorrelation(cfg, cc); err != nil {
		return nil, err
	}
	return cc, nil
}

// bindCorrelation resolves fields and attaches the correlation to its base
// rules.
func (rs *Ruleset) bindCorrelation(cfg Config, cc *compiledCorr) error {
	c := cc.c
	var refs []*corrRef
	for i, cr := range cc.refs {
		ref := &corrRef{corr: cc, ref: int32(i)}
		ts := rs.types[cr.route.rt]
		resolve := func(field string) (*source, error) {
			t, drop, err := fieldTargets(cr.route, field, cfg)
			if err == nil && drop {
				err = fmt.Errorf("field %s is dropped by host remapping", field)
			}
			if err != nil {
				return nil, errAt(c.Pos, ErrUnsupported, "rule %s: %v", cr.id, err)
			}
			s, err := ts.srcs.get(t[0])
			if err != nil {
				return nil, errAt(c.Pos, ErrUnsupported, "rule %s: field %s: %v", cr.id, field, err)
			}
			for _, d := range s.deps {
				if !slices.Contains(cr.columns, d) {
					cr.columns = append(cr.columns, d)
				}
			}
			return s, nil
		}
		for _, g := range c.GroupBy {
			field := g
			if a, ok := c.Aliases[g]; ok {
				if f, ok := a[cr.rule.ID]; ok && cr.rule.ID != "" {
					field = f
				} else if f, ok := a[cr.rule.Name]; ok && cr.rule.Name != "" {
					field = f
				}
			}
			s, err := resolve(field)
			if err != nil {
				return err
			}
			ref.group = append(ref.group, s)
		}
		for _, f := range c.Field {
			s, err := resolve(f)
			if err != nil {
				return err
			}
			ref.value = append(ref.value, s)
		}
		sort.Strings(cr.columns)
		refs = append(refs, ref)
	}
	for i, cr := range cc.refs {
		cr.corrs = append(cr.corrs, refs[i])
	}
	rs.corrs = append(rs.corrs, cc)
	for _, cr := range cc.refs {
		cr.emit = false
		for _, ref := range cr.corrs {
			if ref.corr.c.Generate {
				cr.emit = true
			}
		}
	}
	return nil
}

// compileLegacy turns a v1 "| agg() by x > n" rule into a correlation over
// the rule itself.
func (rs *Ruleset) compileLegacy(cfg Config, cr *compiledRule) (*compiledCorr, error) {
	a, r := cr.legacyAgg, cr.rule
	c := &Correlation{File: r.File, Pos: r.Pos, Meta: r.Meta, legacy: true, GroupBy: a.By}
	switch a.Func {
	case "count":
		c.Type = "event_count"
		if a.Field != "" {
			c.Type, c.Field = "value_count", []string{a.Field}
		}
	case "sum", "avg":
		if a.Field == "" {
			return nil, errAt(r.Pos, ErrInvalid, "legacy %s() needs a field", a.Func)
		}
		c.Type, c.Field = "value_"+a.Func, []string{a.Field}
	default:
		return nil, errAt(r.Pos, ErrUnsupported, "legacy %s() aggregation has no Sigma v2 correlation type", a.Func)
	}
	c.Conds = []CorrCond{{Op: a.Op, Value: a.Value}}
	if tf := r.Detection.Timeframe; tf != "" {
		d, err := parseTimespan(tf)
		if err != nil {
			return nil, errAt(r.Detection.TimeframePos, ErrInvalid, "timeframe: %v", err)
		}
		c.Timespan, c.TimespanText = d, tf
	}
	cc := &compiledCorr{c: c, id: cr.id, refs: []*compiledRule{cr}}
	if err := rs.bindCorrelation(cfg, cc); err != nil {
		return nil, err
	}
	return cc, nil
}

// window is a run of a group's events that satisfied the condition.
type window struct {
	lo, hi int     // events [lo, hi)
	value  float64 // the aggregate that triggered (the most extreme seen)
}

// corrGroup is one group-by key's events and the windows that fired.
type corrGroup struct {
	key string
	evs []corrEvent
	ws  []window
}

// run evaluates the correlation over its events: per group, sliding windows
// of timespan anchored at each event; overlapping windows that satisfy the
// condition merge into one finding. Groups come back in key order.
func (cc *compiledCorr) run(events []corrEvent) []corrGroup {
	byKey := map[string][]corrEvent{}
	for _, e := range events {
		byKey[e.key] = append(byKey[e.key], e)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []corrGroup
	for _, key := range keys {
		evs := byKey[key]
		slices.SortStableFunc(evs, func(a, b corrEvent) int {
			if a.ts != b.ts {
				if a.ts < b.ts {
					return -1
				}
				return 1
			}
			if a.ref != b.ref {
				return int(a.ref - b.ref)
			}
			return strings.Compare(a.evidence, b.evidence)
		})
		if ws := cc.windows(evs); len(ws) > 0 {
			out = append(out, corrGroup{key: key, evs: evs, ws: ws})
		}
	}
	return out
}

func (cc *compiledCorr) holds(x float64) bool {
	for _, cond := range cc.c.Conds {
		if !compare(x, cond.Op, cond.Value) {
			return false
		}
	}
	return true
}

func (cc *compiledCorr) windows(evs []corrEvent) []window {
	span := int64(cc.c.Timespan / time.Nanosecond)
	var ws []window
	agg := newAggregator(cc)
	hi := 0
	for lo := range evs {
		if cc.c.Timespan == 0 && lo > 0 {
			break // unbounded: one window holding every event
		}
		for hi < len(evs) && (cc.c.Timespan == 0 || evs[hi].ts-evs[lo].ts <= span) {
			agg.add(evs[hi])
			hi++
		}
		x := agg.value(evs[lo:hi])
		if cc.holds(x) {
			if n := len(ws); n > 0 && lo < ws[n-1].hi {
				w := &ws[n-1]
				w.hi = max(w.hi, hi)
				if math.Abs(x) > math.Abs(w.value) {
					w.value = x
				}
			} else {
				ws = append(ws, window{lo: lo, hi: hi, value: x})
			}
		}
		agg.remove(evs[lo])
	}
	return ws
}

// aggregator maintains a correlation's aggregate over a sliding window.
type aggregator struct {
	typ      string
	n        int
	distinct map[string]int
	refs     map[int32]int
	sum      float64
	nums     int
	pct      float64
	order    int
}

func newAggregator(cc *compiledCorr) *aggregator {
	return &aggregator{typ: cc.c.Type, distinct: map[string]int{}, refs: map[int32]int{}, pct: cc.c.Percentile, order: len(cc.refs)}
}

func (a *aggregator) add(e corrEvent) {
	a.n++
	switch a.typ {
	case "value_count":
		if e.val != "" {
			a.distinct[e.val]++
		}
	case "temporal":
		a.refs[e.ref]++
	case "value_sum", "value_avg":
		if e.hasNum {
			a.sum += e.num
			a.nums++
		}
	}
}

func (a *aggregator) remove(e corrEvent) {
	a.n--
	switch a.typ {
	case "value_count":
		if e.val != "" {
			if a.distinct[e.val]--; a.distinct[e.val] == 0 {
				delete(a.distinct, e.val)
			}
		}
	case "temporal":
		if a.refs[e.ref]--; a.refs[e.ref] == 0 {
			delete(a.refs, e.ref)
		}
	case "value_sum", "value_avg":
		if e.hasNum {
			a.sum -= e.num
			a.nums--
		}
	}
}

// value returns the aggregate of the current window.
func (a *aggregator) value(win []corrEvent) float64 {
	switch a.typ {
	case "value_count":
		return float64(len(a.distinct))
	case "temporal":
		return float64(len(a.refs))
	case "temporal_ordered":
		// Greedy: the longest prefix of the rules list seen in order.
		next := int32(0)
		for _, e := range win {
			if int(next) < a.order && e.ref == next {
				next++
			}
		}
		return float64(next)
	case "value_sum":
		return a.sum
	case "value_avg":
		if a.nums == 0 {
			return math.NaN()
		}
		return a.sum / float64(a.nums)
	case "value_percentile":
		var xs []float64
		for _, e := range win {
			if e.hasNum {
				xs = append(xs, e.num)
			}
		}
		return percentile(xs, a.pct)
	}
	return float64(a.n)
}

// percentile interpolates linearly between closest ranks (numpy's
// default); NaN for no values.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	pos := p / 100 * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	if hi >= len(xs) {
		hi = len(xs) - 1
	}
	frac := pos - float64(lo)
	return xs[lo] + (xs[hi]-xs[lo])*frac
}
