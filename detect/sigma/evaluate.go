package sigma

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"flowsift/detect/alert"
	"flowsift/extract/table"
)

// RuleMatch lists the rows of one table that one rule matched.
type RuleMatch struct {
	RuleID string
	Title  string
	Rows   []int
}

// Rules returns the ids of the supported rules in load order.
func (rs *Ruleset) Rules() []string {
	out := make([]string, 0, len(rs.rules))
	for _, r := range rs.rules {
		out = append(out, r.id)
	}
	return out
}

// Columns returns the columns of a record type's table that the rules
// read, including what alerts need (ts, uid, endpoints, capture id).
func (rs *Ruleset) Columns(rt RecordType) []string {
	ts := rs.types[rt]
	if ts == nil || len(ts.rules) == 0 {
		return nil
	}
	set := map[string]bool{}
	for _, c := range baseColumns(rt) {
		set[c] = true
	}
	for _, r := range ts.rules {
		for _, c := range r.columns {
			set[c] = true
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func baseColumns(rt RecordType) []string {
	cols := []string{"ts", "uid", "capture_id", "orig_h", "resp_h", "resp_p"}
	if rt != Flows {
		cols = append(cols, "trans_depth")
	}
	return cols
}

// MatchTable evaluates the rules of one record type over one batch and
// returns, per rule with at least one match, the matching rows in order.
// Correlations are not run.
func (rs *Ruleset) MatchTable(rt RecordType, t *table.Table) []RuleMatch {
	ts := rs.types[rt]
	if ts == nil || t == nil || t.Rows == 0 {
		return nil
	}
	b := newBatch(ts, t)
	var out []RuleMatch
	for _, cr := range ts.rules {
		m := b.eval(cr.plan, b.full)
		if m.empty() {
			continue
		}
		rm := RuleMatch{RuleID: cr.id, Title: cr.rule.Title}
		m.each(func(i int) { rm.Rows = append(rm.Rows, i) })
		out = append(out, rm)
	}
	return out
}

// Evaluate runs the rules over the extract tables in dir (flows.parquet,
// dns.parquet, http.parquet, tls.parquet; missing files are skipped),
// reading only the columns the rules need, one row group at a time.
// Alerts come back sorted by (TsFirst, RuleID, Src).
func (rs *Ruleset) Evaluate(ctx context.Context, dir string) ([]alert.Alert, error) {
	ev := rs.NewEvaluator()
	for _, rt := range RecordTypes {
		cols := rs.Columns(rt)
		if len(cols) == 0 {
			continue
		}
		path := filepath.Join(dir, rt.File())
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := evalFile(ctx, ev, rt, path, cols, rs.cfg); err != nil {
			return nil, err
		}
	}
	return ev.Alerts()
}

// evalFile feeds one table to the evaluator, reading the columns the
// rules need that the file has (the others read as null).
func evalFile(ctx context.Context, ev *Evaluator, rt RecordType, path string, cols []string, cfg Config) (err error) {
	f, err := table.Open(path)
	if err != nil {
		return fmt.Errorf("sigma: open %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("sigma: close %s: %w", path, cerr)
		}
	}()
	present := cols[:0:0]
	for _, c := range cols {
		if f.Has(c) {
			present = append(present, c)
		} else {
			cfg.logger().Warn("sigma: column missing, read as null", "file", path, "column", c)
		}
	}
	for t, err := range f.Batches(present...) {
		if err != nil {
			return fmt.Errorf("sigma: read %s: %w", path, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := ev.Add(rt, t); err != nil {
			return fmt.Errorf("sigma: %s: %w", path, err)
		}
	}
	return nil
}

// Evaluator accumulates matches over batches and turns them into alerts.
type Evaluator struct {
	rs     *Ruleset
	groups map[groupKey]*alertGroup
	// events are the base-rule matches kept per correlation.
	events map[*compiledCorr][]corrEvent
	nev    int
}

// groupKey groups a rule's matches into one alert per source address and
// capture: a rule that matches ten thousand requests from one client is
// one finding with ten thousand pieces of evidence, not ten thousand
// alerts.
type groupKey struct {
	rule    int
	src     string
	capture string
}

type alertGroup struct {
	rule     *compiledRule
	src      string
	capture  string
	count    int64
	tsFirst  int64
	tsLast   int64
	dsts     map[string]bool
	ports    map[int64]bool
	evidence []string
}

// NewEvaluator starts an evaluation.
func (rs *Ruleset) NewEvaluator() *Evaluator {
	return &Evaluator{rs: rs, groups: map[groupKey]*alertGroup{}, events: map[*compiledCorr][]corrEvent{}}
}

// Add evaluates one batch of a record type's table.
func (e *Evaluator) Add(rt RecordType, t *table.Table) error {
	ts := e.rs.types[rt]
	if ts == nil || t == nil || t.Rows == 0 || len(ts.rules) == 0 {
		return nil
	}
	b := newBatch(ts, t)
	tsCol, uid, capt := b.col("ts"), b.col("uid"), b.col("capture_id")
	origH, respH, respP, depth := b.col("orig_h"), b.col("resp_h"), b.col("resp_p"), b.col("trans_depth")
	str := func(v *view, i int) string {
		if v.isNull(i) || v.list || v.kind != table.String {
			return ""
		}
		return v.textAt(i)
	}
	ref := func(i int) string {
		r := rt.evidencePrefix() + ":" + str(uid, i)
		if rt != Flows {
			if d, ok := depth.intAt(i); ok {
				r += ":" + strconv.FormatInt(d, 10)
			} else {
				r += ":"
			}
		}
		return r
	}
	tsAt := func(i int) int64 {
		t, _ := tsCol.intAt(i)
		return t
	}
	for _, cr := range ts.rules {
		m := b.eval(cr.plan, b.full)
		if m.empty() {
			continue
		}
		var err error
		m.each(func(i int) {
			if err != nil {
				return
			}
			t := tsAt(i)
			if cr.emit {
				k := groupKey{rule: cr.idx, src: str(origH, i), capture: str(capt, i)}
				g := e.groups[k]
				if g == nil {
					g = &alertGroup{rule: cr, src: k.src, capture: k.capture, tsFirst: t, tsLast: t, dsts: map[string]bool{}, ports: map[int64]bool{}}
					e.groups[k] = g
				}
				g.count++
				g.tsFirst, g.tsLast = min(g.tsFirst, t), max(g.tsLast, t)
				if d := str(respH, i); d != "" && len(g.dsts) <= e.rs.cfg.MaxAddresses {
					g.dsts[d] = true
				}
				if p, ok := respP.intAt(i); ok && len(g.ports) <= 1 {
					g.ports[p] = true
				}
				if len(g.evidence) < e.rs.cfg.MaxEvidence {
					g.evidence = append(g.evidence, ref(i))
				}
			}
			for _, cref := range cr.corrs {
				if e.nev >= e.rs.cfg.MaxCorrelationEvents {
					err = fmt.Errorf("correlation %s: more than %d matching events kept: %w", cref.corr.id, e.rs.cfg.MaxCorrelationEvents, ErrLimit)
					return
				}
				ev := corrEvent{ts: t, ref: cref.ref, evidence: ref(i), src: str(origH, i), dst: str(respH, i), capture: str(capt, i)}
				keys := make([]string, len(cref.group))
				skip := false
				for gi, s := range cref.group {
					v := b.view(s)
					if v.isNull(i) {
						skip = true // SIEMs drop events without the group-by field
						break
					}
					keys[gi] = elementsText(v, i)
				}
				if skip {
					continue
				}
				ev.key = strings.Join(keys, "\x1f")
				if len(cref.value) > 0 {
					vals := make([]string, 0, len(cref.value))
					for _, s := range cref.value {
						v := b.view(s)
						if v.isNull(i) {
							continue
						}
						vals = append(vals, elementsText(v, i))
						if x, ok := rowNumber(v, i); ok && !ev.hasNum {
							ev.num, ev.hasNum = x, true
						}
					}
					if len(vals) == len(cref.value) {
						ev.val = strings.Join(vals, "\x1f")
					}
				}
				e.events[cref.corr] = append(e.events[cref.corr], ev)
				e.nev++
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// elementsText is a row's value as text; list elements joined by commas.
func elementsText(v *view, i int) string {
	lo, hi := v.span(i)
	t := v.texts()
	if hi-lo == 1 && lo < len(t) {
		return t[lo]
	}
	parts := make([]string, 0, hi-lo)
	for e := lo; e < hi && e < len(t); e++ {
		parts = append(parts, t[e])
	}
	return strings.Join(parts, ",")
}

func rowNumber(v *view, i int) (float64, bool) {
	if v.list {
		return 0, false
	}
	return v.number(i)
}

var attackTechnique = regexp.MustCompile(`^attack\.t(\d{4})(?:\.(\d{3}))?$`)

// mitreOf extracts ATT&CK technique ids from tags.
func mitreOf(tags []string) []string {
	var out []string
	for _, t := range tags {
		m := attackTechnique.FindStringSubmatch(strings.ToLower(t))
		if m == nil {
			continue
		}
		id := "T" + m[1]
		if m[2] != "" {
			id += "." + m[2]
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// confidence reflects how much the rule's authors vouch for it.
func confidence(status string) float64 {
	switch status {
	case "stable":
		return 0.9
	case "test":
		return 0.75
	case "experimental":
		return 0.5
	case "deprecated", "unsupported":
		return 0.3
	}
	return 0.5
}

func severity(level string) string {
	if level == "" {
		return alert.SeverityMedium
	}
	return level
}

func sortedKeys[T comparable](m map[T]bool, less func(a, b T) int) []T {
	out := make([]T, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, less)
	return out
}

func details(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// Alerts runs the correlations and returns every alert, sorted by
// (TsFirst, RuleID, Src, Name).
func (e *Evaluator) Alerts() ([]alert.Alert, error) {
	var out []alert.Alert
	for _, g := range e.groups {
		r := g.rule.rule
		a := alert.Alert{
			TsFirst: g.tsFirst, TsLast: g.tsLast,
			Detector: alert.DetectorSigma, RuleID: g.rule.id, Name: r.Title,
			Severity: severity(r.Level), Confidence: confidence(r.Status),
			Mitre: mitreOf(r.Tags), Tags: slices.Clone(r.Tags),
			Count: g.count, CountUnit: g.rule.route.rt.unit(),
			Evidence: g.evidence, EvidenceTotal: g.count,
			CaptureID: g.capture,
		}
		if g.src != "" {
			a.Src = []string{g.src}
		}
		a.Dst = sortedKeys(g.dsts, strings.Compare)
		if len(a.Dst) > e.rs.cfg.MaxAddresses {
			a.Dst = a.Dst[:e.rs.cfg.MaxAddresses]
		}
		if len(g.ports) == 1 {
			for p := range g.ports {
				p32 := int32(p)
				a.DstPort = &p32
			}
		}
		a.Description = fmt.Sprintf("%d %s matched Sigma rule %q", g.count, g.rule.route.rt.unit(), r.Title)
		if g.src != "" {
			a.Description += " from " + g.src
		}
		a.Details = details(map[string]any{
			"rule_file": r.File, "record_type": string(g.rule.route.rt), "status": r.Status,
			"logsource": r.Logsource.String(), "destinations_total": len(g.dsts),
		})
		out = append(out, a)
	}
	for _, cc := range e.rs.corrs {
		out = append(out, cc.alerts(e.rs.cfg, e.events[cc])...)
	}
	slices.SortFunc(out, func(a, b alert.Alert) int {
		if a.TsFirst != b.TsFirst {
			if a.TsFirst < b.TsFirst {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.RuleID, b.RuleID); c != 0 {
			return c
		}
		if c := slices.Compare(a.Src, b.Src); c != 0 {
			return c
		}
		return strings.Compare(a.Description, b.Description)
	})
	return out, nil
}

// alerts turns the correlation's fired windows into alerts.
func (cc *compiledCorr) alerts(cfg Config, events []corrEvent) []alert.Alert {
	c := cc.c
	var out []alert.Alert
	var tags []string
	tags = append(tags, c.Tags...)
	mitre := mitreOf(c.Tags)
	var ruleIDs []string
	for _, r := range cc.refs {
		ruleIDs = append(ruleIDs, r.id)
		for _, m := range mitreOf(r.rule.Tags) {
			if !slices.Contains(mitre, m) {
				mitre = append(mitre, m)
			}
		}
	}
	unit := map[string]string{
		"event_count": "events", "value_count": "distinct values", "temporal": "rules",
		"temporal_ordered": "rules in order", "value_sum": "sum", "value_avg": "average", "value_percentile": "percentile",
	}[c.Type]
	for _, g := range cc.run(events) {
		groupVals := map[string]string{}
		parts := strings.Split(g.key, "\x1f")
		for i, f := range c.GroupBy {
			if i < len(parts) {
				groupVals[f] = parts[i]
			}
		}
		for _, w := range g.ws {
			evs := g.evs[w.lo:w.hi]
			srcs, dsts := map[string]bool{}, map[string]bool{}
			var evidence []string
			for _, ev := range evs {
				if ev.src != "" {
					srcs[ev.src] = true
				}
				if ev.dst != "" && len(dsts) < cfg.MaxAddresses {
					dsts[ev.dst] = true
				}
				if len(evidence) < cfg.MaxEvidence {
					evidence = append(evidence, ev.evidence)
				}
			}
			thr := c.Conds[0].Value
			val := w.value
			count := int64(0)
			if !math.IsNaN(val) && !math.IsInf(val, 0) {
				count = int64(math.Round(val))
			}
			a := alert.Alert{
				TsFirst: evs[0].ts, TsLast: evs[len(evs)-1].ts,
				Detector: alert.DetectorSigma, RuleID: cc.id, Name: c.Title,
				Severity: severity(c.Level), Confidence: confidence(c.Status),
				Mitre: mitre, Tags: tags, Count: count, CountUnit: unit, Threshold: &thr,
				Evidence: evidence, EvidenceTotal: int64(len(evs)), CaptureID: evs[0].capture,
			}
			a.Src = sortedKeys(srcs, strings.Compare)
			if len(a.Src) > cfg.MaxAddresses {
				a.Src = a.Src[:cfg.MaxAddresses]
			}
			a.Dst = sortedKeys(dsts, strings.Compare)
			a.Description = fmt.Sprintf("Sigma correlation %q (%s) fired: %s = %s over %d events", c.Title, c.Type, unit, strconv.FormatFloat(val, 'f', -1, 64), len(evs))
			if len(groupVals) > 0 {
				a.Description += " for " + formatGroup(c.GroupBy, groupVals)
			}
			a.Details = details(map[string]any{
				"correlation": c.Type, "group_by": groupVals, "timespan": c.TimespanText,
				"rules": ruleIDs, "value": finite(val), "legacy_aggregation": c.legacy, "rule_file": c.File,
			})
			out = append(out, a)
		}
	}
	return out
}

func formatGroup(order []string, vals map[string]string) string {
	parts := make([]string, 0, len(order))
	for _, f := range order {
		parts = append(parts, f+"="+vals[f])
	}
	return strings.Join(parts, ", ")
}

// finite makes NaN and infinities JSON-safe (null).
func finite(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}
