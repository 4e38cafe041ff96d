package sigma

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"flowsift/extract/table"
)

// Status is the verdict on one rule after loading.
type Status string

// Statuses.
const (
	// Supported rules are compiled and evaluated.
	Supported Status = "supported"
	// Skipped rules are valid Sigma that cannot be evaluated over traffic
	// tables; Reason says why.
	Skipped Status = "skipped"
	// Invalid rules break the Sigma specification; Reason says where.
	Invalid Status = "invalid"
)

// RuleReport is the load verdict for one rule or correlation.
type RuleReport struct {
	File  string
	Line  int
	ID    string
	Title string
	// Kind is "rule" or "correlation".
	Kind       string
	RecordType RecordType
	Status     Status
	Reason     string
	Warnings   []string
}

// Report lists the verdict for every document loaded, in file order.
type Report struct {
	Rules []RuleReport
}

// Count returns how many rules have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, x := range r.Rules {
		if x.Status == s {
			n++
		}
	}
	return n
}

// Files returns the files in report order.
func (r *Report) Files() []string {
	var out []string
	for _, x := range r.Rules {
		if len(out) == 0 || out[len(out)-1] != x.File {
			out = append(out, x.File)
		}
	}
	return slices.Compact(out)
}

// compiledRule is a supported rule ready for evaluation.
type compiledRule struct {
	rule   *Rule
	idx    int
	route  route
	plan   *node
	leaves []*leaf
	// columns the plan reads, sorted.
	columns []string
	// emit is false for base rules whose matches only feed correlations
	// (generate: false, the default, and legacy aggregations).
	emit  bool
	corrs []*corrRef
	id    string
	// legacyAgg is a v1 "| count() by ..." clause, run as a correlation.
	legacyAgg *Aggregation
}

// typeSet is the compiled state shared by the rules of one record type.
type typeSet struct {
	rt       RecordType
	srcs     *sourceSet
	rules    []*compiledRule
	automata map[*source]*aho
	needles  map[*source][]string
}

// Ruleset is a set of compiled rules and correlations.
type Ruleset struct {
	cfg   Config
	rules []*compiledRule
	corrs []*compiledCorr
	types map[RecordType]*typeSet
	// nextIdx numbers compiled rules; indexes stay unique when a rule is
	// dropped later.
	nextIdx int
}

// Load reads rule files and directories (recursively, *.yml and *.yaml)
// with DefaultConfig. See LoadConfig.
func Load(paths ...string) (*Ruleset, *Report, error) {
	return LoadConfig(DefaultConfig(), paths...)
}

// LoadConfig reads rule files and directories (recursively, *.yml and
// *.yaml), compiles every rule it can and reports on each. The error is
// only for configuration and I/O failures; rule problems are in the
// Report.
func LoadConfig(cfg Config, paths ...string) (*Ruleset, *Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("sigma config: %w", err)
	}
	files, err := ruleFiles(paths)
	if err != nil {
		return nil, nil, err
	}
	var docs []*Document
	for _, f := range files {
		data, err := readLimited(f, cfg.MaxFileBytes)
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, Parse(f, data)...)
	}
	rs, rep := Compile(cfg, docs)
	return rs, rep, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read rule %s: %w", path, err)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("read rule %s: %d bytes, more than %d: %w", path, fi.Size(), limit, ErrLimit)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rule %s: %w", path, err)
	}
	return data, nil
}

// ruleFiles expands directories into their rule files, sorted, so that
// loading is deterministic.
func ruleFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("rules %s: %w", p, err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(d.Name(), ".yml") || strings.HasSuffix(d.Name(), ".yaml")) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("rules %s: %w", p, err)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// statusOf classifies a load error.
func statusOf(err error) Status {
	if errors.Is(err, ErrUnsupported) {
		return Skipped
	}
	return Invalid
}

// Compile compiles parsed documents into a ruleset. Every document gets a
// report entry.
func Compile(cfg Config, docs []*Document) (*Ruleset, *Report) {
	rs := &Ruleset{cfg: cfg, types: map[RecordType]*typeSet{}}
	rep := &Report{}
	for _, rt := range RecordTypes {
		rs.types[rt] = &typeSet{rt: rt, srcs: newSourceSet(rt)}
	}
	type pending struct {
		doc *Document
		rep int
	}
	var corrDocs []pending
	// byRef finds base rules by id and by name, including rules that were
	// skipped, so a correlation can say why it cannot run.
	byRef := map[string]*refTarget{}
	for _, d := range docs {
		rr := RuleReport{File: d.File, Line: d.Pos.Line, ID: d.ID, Title: d.Title, Kind: "rule"}
		switch {
		case d.Err != nil:
			rr.Status, rr.Reason = statusOf(d.Err), reason(d.Err)
			if d.Err != nil {
				var re *RuleError
				if errors.As(d.Err, &re) && re.Line > 0 {
					rr.Line = re.Line
				}
			}
			rep.Rules = append(rep.Rules, rr)
		case d.Correlation != nil:
			rr.Kind = "correlation"
			rep.Rules = append(rep.Rules, rr)
			corrDocs = append(corrDocs, pending{d, len(rep.Rules) - 1})
		default:
			r := d.Rule
			cr, warns, err := rs.compileOne(cfg, r)
			rr.Warnings = append(slices.Clone(r.Warnings), warns...)
			target := &refTarget{rule: r}
			if err != nil {
				var re *RuleError
				if errors.As(err, &re) {
					re.File, re.Rule = r.File, r.label()
				}
				rr.Status, rr.Reason = statusOf(err), reason(err)
				target.err = err
			} else {
				rr.Status, rr.RecordType = Supported, cr.route.rt
				target.cr = cr
			}
			rep.Rules = append(rep.Rules, rr)
			for _, key := range []string{r.ID, r.Name} {
				if key == "" {
					continue
				}
				if prev, dup := byRef[key]; dup && prev.rule != r {
					rep.Rules[len(rep.Rules)-1].Warnings = append(rep.Rules[len(rep.Rules)-1].Warnings, fmt.Sprintf("id or name %q is also used by %s", key, prev.rule.File))
					continue
				}
				byRef[key] = target
			}
			if cr != nil && cr.legacyAgg != nil {
				if _, err := rs.compileLegacy(cfg, cr); err != nil {
					last := &rep.Rules[len(rep.Rules)-1]
					last.Status, last.Reason = statusOf(err), reason(err)
					rs.dropRule(cr)
					target.cr, target.err = nil, err
				}
			}
		}
	}
	for _, p := range corrDocs {
		c := p.doc.Correlation
		rr := &rep.Rules[p.rep]
		rr.Warnings = append(rr.Warnings, c.Warnings...)
		cc, err := rs.compileCorrelation(cfg, c, byRef)
		if err != nil {
			var re *RuleError
			if errors.As(err, &re) {
				re.File, re.Rule = c.File, c.label()
			}
			rr.Status, rr.Reason = statusOf(err), reason(err)
			continue
		}
		rr.Status = Supported
		rr.RecordType = cc.recordTypes()
	}
	rs.finish()
	return rs, rep
}

type refTarget struct {
	rule *Rule
	cr   *compiledRule
	err  error
}

func (rs *Ruleset) dropRule(cr *compiledRule) {
	ts := rs.types[cr.route.rt]
	ts.rules = slices.DeleteFunc(ts.rules, func(x *compiledRule) bool { return x == cr })
	rs.rules = slices.DeleteFunc(rs.rules, func(x *compiledRule) bool { return x == cr })
}

// compileOne compiles one rule for its logsource's record type.
func (rs *Ruleset) compileOne(cfg Config, r *Rule) (*compiledRule, []string, error) {
	rt, err := routeLogsource(r.Logsource, cfg)
	if err != nil {
		return nil, nil, err
	}
	ts := rs.types[rt.rt]
	c := &ruleCompiler{cfg: cfg, route: rt, srcs: ts.srcs, columns: map[string]bool{}}
	var agg *Aggregation
	for _, cond := range r.Detection.Conditions {
		if cond.Agg != nil {
			agg = cond.Agg
		}
	}
	if r.Detection.Timeframe != "" && agg == nil {
		c.warnings = append(c.warnings, fmt.Sprintf("line %d: timeframe without an aggregation is ignored", r.Detection.TimeframePos.Line))
	}
	plan, err := c.compileRule(r)
	if err != nil {
		return nil, c.warnings, err
	}
	cr := &compiledRule{rule: r, idx: rs.nextIdx, route: rt, plan: plan, leaves: c.leaves, emit: true, legacyAgg: agg}
	cr.id = r.ID
	if cr.id == "" {
		cr.id = r.Name
	}
	if cr.id == "" {
		cr.id = strings.TrimSuffix(filepath.Base(r.File), filepath.Ext(r.File))
	}
	for col := range c.columns {
		cr.columns = append(cr.columns, col)
	}
	sort.Strings(cr.columns)
	rs.nextIdx++
	rs.rules = append(rs.rules, cr)
	ts.rules = append(ts.rules, cr)
	return cr, c.warnings, nil
}

// finish assigns Aho-Corasick needles per source and decides which leaves
// can be prefiltered.
func (rs *Ruleset) finish() {
	for _, ts := range rs.types {
		ts.needles = map[*source][]string{}
		ts.automata = map[*source]*aho{}
		ids := map[*source]map[string]int32{}
		need := func(s *source, n string) int32 {
			m := ids[s]
			if m == nil {
				m = map[string]int32{}
				ids[s] = m
			}
			if id, ok := m[n]; ok {
				return id
			}
			id := int32(len(ts.needles[s]))
			m[n] = id
			ts.needles[s] = append(ts.needles[s], n)
			return id
		}
		for _, cr := range ts.rules {
			for _, l := range cr.leaves {
				if l.kind != lkValues || l.matchNull || len(l.ints) > 0 || len(l.floats) > 0 || l.bools != 0 ||
					len(l.cmps) > 0 || len(l.nets) > 0 || len(l.times) > 0 || l.src.kind != table.String {
					continue
				}
				var needles []string
				ok := true
				acOnly := len(l.cased) == 0 && len(l.regexes) == 0
				for lit := range l.eqSet {
					needles = append(needles, lit)
					acOnly = false
				}
				for _, m := range l.strMatchers() {
					if m.needle == "" {
						ok = false
						break
					}
					needles = append(needles, m.needle)
					if m.op != opContains || m.cased {
						acOnly = false
					}
				}
				for _, m := range l.regexes {
					if len(m.needles) == 0 {
						ok = false
						break
					}
					needles = append(needles, m.needles...)
				}
				if !ok || len(needles) == 0 {
					continue
				}
				sort.Strings(needles)
				needles = slices.Compact(needles)
				l.needles = l.needles[:0]
				for _, n := range needles {
					l.needles = append(l.needles, need(l.src, n))
				}
				l.prefilter, l.acOnly = true, acOnly
			}
		}
		for s, ns := range ts.needles {
			ts.automata[s] = buildAho(ns)
		}
	}
}
