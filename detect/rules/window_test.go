package rules

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRunsSlidingWindow(t *testing.T) {
	sec := int64(time.Second)
	hop := 5 * sec // 10 s windows
	tests := []struct {
		name      string
		events    []event
		threshold float64
		want      []run
	}{
		{
			// 60 events in each of two neighbouring buckets: no bucket
			// alone reaches 100, the window over both does.
			name:      "burst across a bucket boundary",
			events:    append(points(1, 4*sec, 60), points(1, 6*sec, 60)...),
			threshold: 100,
			want:      []run{{group: 1, from: 0, to: 10 * sec, peak: 120}},
		},
		{
			// The same 120 events spread over 10 minutes never reach 100
			// in one window.
			name:      "spread out",
			events:    spread(1, 0, 600*sec, 120),
			threshold: 100,
		},
		{
			// A flow of 1000 packets over 100 s is 50 per 5 s bucket:
			// 100 per window, everywhere along it, one run.
			name:      "long flow spread over its span",
			events:    []event{{group: 7, from: 0, to: 100 * sec, weight: 1000}},
			threshold: 100,
			want:      []run{{group: 7, from: 0, to: 100 * sec, peak: 100}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runs(cells(tt.events, hop), hop, tt.threshold)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(run{}), cmp.Comparer(func(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 })); diff != "" {
				t.Errorf("runs (-want, +got):\n%s", diff)
			}
		})
	}
}

func points(g uint64, at int64, n int) []event {
	out := make([]event, n)
	for i := range out {
		out[i] = event{group: g, from: at, to: at, weight: 1, row: int32(i)}
	}
	return out
}

func spread(g uint64, from, to int64, n int) []event {
	out := make([]event, n)
	for i := range out {
		at := from + (to-from)*int64(i)/int64(n)
		out[i] = event{group: g, from: at, to: at, weight: 1, row: int32(i)}
	}
	return out
}

func TestDistinctRuns(t *testing.T) {
	hop := int64(150 * time.Second)
	var cs []distinctCell
	// 10 ports in bucket 0 and 10 other ports in bucket 1: 20 distinct in
	// the window over both, 10 in each alone.
	for p := range 10 {
		cs = append(cs, distinctCell{3, 0, int64(p)}, distinctCell{3, 1, int64(100 + p)})
	}
	// Repeats do not count twice.
	cs = append(cs, distinctCell{3, 0, 1}, distinctCell{3, 0, 1})
	got := distinctRuns(cs, hop, 15)
	want := []run{{group: 3, from: 0, to: 2 * hop, peak: 20}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(run{})); diff != "" {
		t.Errorf("distinctRuns (-want, +got):\n%s", diff)
	}
	if got := distinctRuns(cs, hop, 21); len(got) != 0 {
		t.Errorf("distinctRuns with threshold 21 = %v, want none", got)
	}
}

func TestRegularity(t *testing.T) {
	regular := make([]float64, 30)
	for i := range regular {
		regular[i] = 60 + float64(i%3) // 60..62 s
	}
	irregular := []float64{1, 300, 5, 2000, 42, 7, 900, 3, 60, 15000, 2, 450}
	if r := regularity(regular, 10); r < 0.9 {
		t.Errorf("regularity(regular intervals) = %.2f, want >= 0.9", r)
	}
	if r := regularity(irregular, 10); r > 0.5 {
		t.Errorf("regularity(irregular intervals) = %.2f, want <= 0.5", r)
	}
}

func TestDefaultConfigValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("shipped defaults: Validate() = %v", err)
	}
	if c.SYNFlood.MinSYNs == 0 || c.Beaconing.MinScore == 0 {
		t.Fatalf("defaults not decoded: %+v", c)
	}
}
