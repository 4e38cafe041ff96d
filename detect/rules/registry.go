package rules

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"flowsift/detect/alert"
)

// Detection describes one threshold detection.
type Detection struct {
	ID       string
	Name     string
	Mitre    []string
	Severity string
	// Needs names the table the detection reads: flows, dns or http.
	Needs string
	// Aliases are the original tool's switch names that map onto it.
	Aliases []string
	run     func(d *Data, c *Config, rc *runCtx) []alert.Alert
	// Settings lists the thresholds with their current values.
	Settings func(c *Config) []string
}

// Detections returns every detection in a fixed order.
func Detections() []Detection { return registry }

// Options select and scope a run.
type Options struct {
	// Only restricts the run to these detection ids (or aliases); empty
	// means all.
	Only []string
	// Exclude lists networks whose hosts are never reported as the actor
	// of a detection (the source of a flood, the scanner, the client).
	Exclude []netip.Prefix
	// MaxEvidence caps the evidence references kept per alert.
	MaxEvidence int
}

// Select resolves Options.Only (ids or the original tool's switch names)
// into detections.
func Select(only []string) ([]Detection, error) {
	if len(only) == 0 {
		return registry, nil
	}
	var out []Detection
	for _, name := range only {
		name = strings.TrimPrefix(strings.TrimSpace(name), "--")
		i := slices.IndexFunc(registry, func(d Detection) bool { return d.ID == name || slices.Contains(d.Aliases, name) })
		if i < 0 {
			return nil, fmt.Errorf("%w: %q", ErrUnknownDetection, name)
		}
		if !slices.ContainsFunc(out, func(d Detection) bool { return d.ID == registry[i].ID }) {
			out = append(out, registry[i])
		}
	}
	return out, nil
}

// Skipped is a detection that could not run, with the reason.
type Skipped struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Run runs the selected detections over d.
func Run(d *Data, c *Config, opts Options) ([]alert.Alert, []Skipped, error) {
	dets, err := Select(opts.Only)
	if err != nil {
		return nil, nil, err
	}
	rc := &runCtx{data: d, maxEvidence: cmp.Or(opts.MaxEvidence, 50), excluded: make([]bool, len(d.Hosts.Names))}
	for i, name := range d.Hosts.Names {
		if a, err := netip.ParseAddr(name); err == nil {
			for _, p := range opts.Exclude {
				if p.Contains(a.Unmap()) {
					rc.excluded[i] = true
				}
			}
		}
	}
	var out []alert.Alert
	var skipped []Skipped
	for _, det := range dets {
		switch {
		case det.Needs == "dns" && d.DNS == nil:
			skipped = append(skipped, Skipped{det.ID, "no dns.parquet in the input directory"})
			continue
		case det.Needs == "http" && d.HTTP == nil:
			skipped = append(skipped, Skipped{det.ID, "no http.parquet in the input directory"})
			continue
		}
		rc.det = &det
		for _, a := range det.run(d, c, rc) {
			a.Detector = alert.DetectorRules
			a.RuleID = det.ID
			a.Mitre = det.Mitre
			a.CaptureID = d.CaptureID
			if a.Severity == "" {
				a.Severity = det.Severity
			}
			out = append(out, a)
		}
	}
	alert.Sort(out)
	return out, skipped, nil
}

// runCtx carries what every detection needs besides the data.
type runCtx struct {
	data        *Data
	det         *Detection
	excluded    []bool
	maxEvidence int
}

func (rc *runCtx) host(id int32) string { return rc.data.Hosts.Names[id] }

func (rc *runCtx) isExcluded(id int32) bool { return rc.excluded[id] }

// flowEvidence returns "flow:<uid>" references for rows, in time order,
// capped, and the total.
func (rc *runCtx) flowEvidence(rows []int32) ([]string, int64) {
	fl := &rc.data.Flows
	rows = uniqueRows(rows)
	slices.SortFunc(rows, func(a, b int32) int { return cmp.Or(cmp.Compare(fl.TS[a], fl.TS[b]), cmp.Compare(a, b)) })
	n := min(len(rows), rc.maxEvidence)
	ev := make([]string, n)
	for i := range n {
		ev[i] = "flow:" + fl.UID[rows[i]]
	}
	return ev, int64(len(rows))
}

func uniqueRows(rows []int32) []int32 {
	out := slices.Clone(rows)
	slices.Sort(out)
	return slices.Compact(out)
}

// ranked returns hosts ordered by descending weight (then by address).
func (rc *runCtx) ranked(weights map[int32]float64, limit int) []string {
	ids := make([]int32, 0, len(weights))
	for id := range weights {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int32) int {
		return cmp.Or(cmp.Compare(weights[b], weights[a]), strings.Compare(rc.host(a), rc.host(b)))
	})
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = rc.host(id)
	}
	return out
}

func details(v map[string]any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func ptr[T any](v T) *T { return &v }

// confidence maps how far a count exceeds its threshold to (0.5, 1):
// at the threshold 0.6, at ten times it about 0.95.
func confidence(count, threshold float64) float64 {
	if threshold <= 0 {
		return 0.9
	}
	r := count / threshold
	c := 1 - 0.4/r
	return min(max(c, 0.5), 0.99)
}
