package detect

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/netip"
	"path/filepath"
	"slices"

	"github.com/parquet-go/parquet-go"

	"flowsift/detect/alert"
	"flowsift/features"
	"flowsift/internal/atomicfile"
	"flowsift/train/model"
)

// ScoresFile is the model layer's per-flow output in the output directory.
const ScoresFile = "scores.parquet"

// Score is one flow's model output: a row of scores.parquet.
type Score struct {
	UID       string `parquet:"uid"`
	CaptureID string `parquet:"capture_id,dict"`
	TS        int64  `parquet:"ts,timestamp(microsecond)"`
	OrigH     string `parquet:"orig_h"`
	RespH     string `parquet:"resp_h"`
	// Class is the predicted class and Probability its probability;
	// Malicious is 1 - P(benign). All null when the model has no
	// classifier.
	Class       *string  `parquet:"class,optional,dict"`
	Probability *float64 `parquet:"probability,optional"`
	Malicious   *float64 `parquet:"p_malicious,optional"`
	// AnomalyScore is the isolation forest score (higher is more unusual)
	// and Anomalous whether it passed the model's threshold; null when
	// the model has no anomaly detector.
	AnomalyScore *float64 `parquet:"anomaly_score,optional"`
	Anomalous    *bool    `parquet:"anomalous,optional"`
}

// Scores is the model layer's result over one extract output.
type Scores struct {
	Rows []Score
	set  *features.Set
}

// ScoreFlows builds the feature vectors of the extract output dir the way
// m's schema says and scores them with m's classifier and anomaly
// detector.
func ScoreFlows(ctx context.Context, dir string, m *model.Model) (*Scores, error) {
	fcfg, err := features.ConfigFor(features.Schema{Version: m.Schema.Version, Names: m.Schema.Names})
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	set, err := features.Build(dir, fcfg)
	if err != nil {
		return nil, err
	}
	if err := m.CheckSchema(model.FeatureSchema{Version: set.Schema.Version, Names: set.Schema.Names}); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := set.Rows()
	s := &Scores{Rows: make([]Score, n), set: set}
	for i := range n {
		s.Rows[i] = Score{UID: set.UID[i], CaptureID: set.CaptureID[i], TS: set.TS[i], OrigH: set.OrigH[i], RespH: set.RespH[i]}
	}
	if m.Forest != nil && n > 0 {
		proba := make([][]float64, len(m.Classes))
		for c := range proba {
			proba[c] = make([]float64, n)
		}
		if err := m.PredictBatch(set.X, proba); err != nil {
			return nil, err
		}
		benign := slices.Index(m.Classes, "benign")
		row := make([]float64, len(m.Classes))
		for i := range n {
			for c := range row {
				row[c] = proba[c][i]
			}
			k := m.Classify(row)
			cls, p := m.Classes[k], row[k]
			mal := 1.0
			if benign >= 0 {
				mal = 1 - row[benign]
			}
			s.Rows[i].Class, s.Rows[i].Probability, s.Rows[i].Malicious = &cls, &p, &mal
		}
	}
	if m.Anomaly != nil && n > 0 {
		out := make([]float64, n)
		if err := m.AnomalyScores(set.X, out); err != nil {
			return nil, err
		}
		for i, v := range out {
			an := v > m.Anomaly.Threshold
			s.Rows[i].AnomalyScore, s.Rows[i].Anomalous = &v, &an
		}
	}
	return s, nil
}

// Write stores the scores as dir/scores.parquet, atomically.
func (s *Scores) Write(dir string, meta map[string]string) error {
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}
	for _, k := range slices.Sorted(mapKeys(meta)) {
		opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
	}
	err := atomicfile.Write(filepath.Join(dir, ScoresFile), func(f io.Writer) error {
		w := parquet.NewGenericWriter[Score](f, opts...)
		if _, err := w.Write(s.Rows); err != nil {
			return err
		}
		return w.Close()
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", ScoresFile, err)
	}
	return nil
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ModelOptions tune how model scores become alerts.
type ModelOptions struct {
	// ID names the model in alerts (rule_id).
	ID string `json:"-"`
	// Exclude keeps these networks from being reported as sources.
	Exclude []netip.Prefix `json:"-"`
	// FanIn is how many distinct sources flagged toward one destination
	// make one alert for that destination (a spoofed flood, a reflection,
	// a DDoS) instead of one alert per source.
	FanIn int `json:"fan_in"`
	// MaxEvidence caps the flow uids listed per alert.
	MaxEvidence int `json:"max_evidence"`
}

// DefaultModelOptions returns the documented defaults.
func DefaultModelOptions() ModelOptions {
	return ModelOptions{FanIn: 20, MaxEvidence: 100}
}

// classInfo maps the generator's attack labels to ATT&CK and severity, for
// multi-class models; other classes get the binary defaults.
var classInfo = map[string]struct {
	mitre    []string
	severity string
}{
	"malicious":            {nil, alert.SeverityMedium},
	"syn_flood":            {[]string{"T1499.001"}, alert.SeverityHigh},
	"syn_flood_spoofed":    {[]string{"T1499.001"}, alert.SeverityHigh},
	"udp_flood":            {[]string{"T1498.001"}, alert.SeverityHigh},
	"icmp_flood":           {[]string{"T1498.001"}, alert.SeverityHigh},
	"http_flood":           {[]string{"T1499.002"}, alert.SeverityHigh},
	"asymmetric_ddos":      {[]string{"T1498"}, alert.SeverityHigh},
	"dns_amplification":    {[]string{"T1498.002"}, alert.SeverityHigh},
	"synack_reflection":    {[]string{"T1498.002"}, alert.SeverityHigh},
	"port_scan_vertical":   {[]string{"T1046"}, alert.SeverityMedium},
	"port_scan_horizontal": {[]string{"T1046"}, alert.SeverityMedium},
	"connect_scan":         {[]string{"T1046"}, alert.SeverityMedium},
	"udp_scan":             {[]string{"T1046"}, alert.SeverityMedium},
	"dns_tunnel":           {[]string{"T1071.004", "T1048.003"}, alert.SeverityHigh},
	"icmp_tunnel":          {[]string{"T1095"}, alert.SeverityHigh},
	"exfiltration":         {[]string{"T1048"}, alert.SeverityMedium},
	"beaconing":            {[]string{"T1071"}, alert.SeverityMedium},
	"unusual_ports":        {[]string{"T1571"}, alert.SeverityLow},
}

// group is a set of flagged flows that become one alert.
type group struct {
	key      string // class
	byDst    bool   // grouped by destination (many sources)
	addr     string // the source, or the destination when byDst
	rows     []int
	peerHits map[string]int
}

// ModelAlerts turns the classifier's non-benign predictions into alerts:
// flows toward a destination flagged from at least FanIn sources become one
// alert for that destination; the rest one alert per source and class.
func (s *Scores) ModelAlerts(o ModelOptions) []alert.Alert {
	flagged := func(i int) (string, bool) {
		r := &s.Rows[i]
		if r.Class == nil || *r.Class == "benign" || excluded(o.Exclude, r.OrigH) {
			return "", false
		}
		return *r.Class, true
	}
	score := func(i int) float64 { return *s.Rows[i].Probability }
	return s.groupAlerts(o, flagged, score, func(g *group, a *alert.Alert) {
		info, ok := classInfo[g.key]
		if !ok {
			info = classInfo["malicious"]
		}
		a.Detector = alert.DetectorModel
		a.RuleID = o.ID
		a.Severity = info.severity
		a.Mitre = info.mitre
		a.Tags = []string{"class:" + g.key}
		a.Confidence = mean(g.rows, score)
		if g.byDst {
			a.Name = fmt.Sprintf("Model: %s toward %s from %d sources", g.key, g.addr, len(g.peerHits))
		} else {
			a.Name = fmt.Sprintf("Model: %s from %s", g.key, g.addr)
		}
		a.Description = fmt.Sprintf("The Random Forest classified %d flows as %s (mean probability %.2f).", len(g.rows), g.key, a.Confidence)
	})
}

// AnomalyAlerts turns flows above the anomaly threshold into alerts, with
// the features that made the most unusual flow of each group stand out.
func (s *Scores) AnomalyAlerts(m *model.Model, o ModelOptions) []alert.Alert {
	if m.Anomaly == nil {
		return nil
	}
	flagged := func(i int) (string, bool) {
		r := &s.Rows[i]
		return "anomalous", r.Anomalous != nil && *r.Anomalous && !excluded(o.Exclude, r.OrigH)
	}
	score := func(i int) float64 { return *s.Rows[i].AnomalyScore }
	row := make([]float32, len(s.set.X))
	return s.groupAlerts(o, flagged, score, func(g *group, a *alert.Alert) {
		top := slices.MaxFunc(g.rows, func(x, y int) int { return cmp.Compare(score(x), score(y)) })
		s.set.Row(top, row)
		contrib, _ := m.Explain(row)
		contrib = contrib[:min(5, len(contrib))]
		a.Detector = alert.DetectorAnomaly
		a.RuleID = o.ID
		a.Severity = alert.SeverityLow
		a.Confidence = math.Min(1, mean(g.rows, score))
		var names []string
		for _, c := range contrib {
			names = append(names, c.Feature)
		}
		who := "from " + g.addr
		if g.byDst {
			who = fmt.Sprintf("toward %s from %d sources", g.addr, len(g.peerHits))
		}
		a.Name = fmt.Sprintf("Anomalous flows %s", who)
		a.Description = fmt.Sprintf("%d flows scored above the anomaly threshold %.3f of the model's baseline; the most unusual (%s) stands out by %v.",
			len(g.rows), m.Anomaly.Threshold, s.Rows[top].UID, names)
		var d map[string]any
		_ = json.Unmarshal([]byte(a.Details), &d)
		d["explanation"] = contrib
		d["threshold"] = m.Anomaly.Threshold
		b, _ := json.Marshal(d)
		a.Details = string(b)
	})
}

// groupAlerts groups flagged rows (by destination when many sources point
// at it, otherwise by source) and builds one alert per group.
func (s *Scores) groupAlerts(o ModelOptions, flagged func(int) (string, bool), score func(int) float64, finish func(*group, *alert.Alert)) []alert.Alert {
	type gk struct{ class, addr string }
	byDst := map[gk][]int{}
	for i := range s.Rows {
		if c, ok := flagged(i); ok {
			k := gk{c, s.Rows[i].RespH}
			byDst[k] = append(byDst[k], i)
		}
	}
	groups := map[gk]*group{}
	var order []gk
	addTo := func(k gk, dst bool, i int, peer string) {
		if dst {
			k.addr = "dst:" + k.addr
		}
		g := groups[k]
		if g == nil {
			addr := s.Rows[i].OrigH
			if dst {
				addr = s.Rows[i].RespH
			}
			g = &group{key: k.class, byDst: dst, addr: addr, peerHits: map[string]int{}}
			groups[k] = g
			order = append(order, k)
		}
		g.rows = append(g.rows, i)
		g.peerHits[peer]++
	}
	for k, rows := range byDst {
		srcs := map[string]bool{}
		for _, i := range rows {
			srcs[s.Rows[i].OrigH] = true
		}
		for _, i := range rows {
			if len(srcs) >= o.FanIn {
				addTo(k, true, i, s.Rows[i].OrigH)
			} else {
				addTo(gk{k.class, s.Rows[i].OrigH}, false, i, s.Rows[i].RespH)
			}
		}
	}
	slices.SortFunc(order, func(a, b gk) int {
		if c := cmp.Compare(a.class, b.class); c != 0 {
			return c
		}
		return cmp.Compare(a.addr, b.addr)
	})
	var out []alert.Alert
	for _, k := range order {
		g := groups[k]
		slices.SortFunc(g.rows, func(x, y int) int {
			if c := cmp.Compare(score(y), score(x)); c != 0 {
				return c
			}
			return cmp.Compare(s.Rows[x].UID, s.Rows[y].UID)
		})
		a := alert.Alert{TsFirst: math.MaxInt64, CountUnit: "flows", Count: int64(len(g.rows)), EvidenceTotal: int64(len(g.rows))}
		for _, i := range g.rows {
			r := &s.Rows[i]
			a.TsFirst, a.TsLast = min(a.TsFirst, r.TS), max(a.TsLast, r.TS)
			a.CaptureID = r.CaptureID
		}
		for _, i := range g.rows[:min(len(g.rows), o.MaxEvidence)] {
			a.Evidence = append(a.Evidence, "flow:"+s.Rows[i].UID)
		}
		peers := topPeers(g.peerHits, 10)
		if g.byDst {
			a.Src, a.Dst = peers, []string{g.addr}
		} else {
			a.Src, a.Dst = []string{g.addr}, peers
		}
		details := map[string]any{"class": g.key, "peers": len(g.peerHits), "max_score": score(g.rows[0])}
		b, _ := json.Marshal(details)
		a.Details = string(b)
		finish(g, &a)
		out = append(out, a)
	}
	return out
}

// topPeers returns up to n addresses with the most flows, most first.
func topPeers(hits map[string]int, n int) []string {
	ps := make([]string, 0, len(hits))
	for p := range hits {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b string) int {
		if c := cmp.Compare(hits[b], hits[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return ps[:min(n, len(ps))]
}

func mean(rows []int, f func(int) float64) float64 {
	var s float64
	for _, i := range rows {
		s += f(i)
	}
	return s / float64(len(rows))
}

func excluded(ps []netip.Prefix, addr string) bool {
	if len(ps) == 0 {
		return false
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	for _, p := range ps {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}
