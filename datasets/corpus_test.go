package datasets

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTrainingPlan(t *testing.T) {
	plan := TrainingPlan(7)
	seeds := map[uint64]string{}
	names := map[string]bool{}
	splits := map[string]map[string]int{}
	for _, e := range plan {
		if err := e.Config.Validate(); err != nil {
			t.Errorf("%s: Validate() error = %v", e.Name, err)
		}
		if prev, ok := seeds[e.Seed]; ok {
			t.Errorf("%s and %s share seed %d", e.Name, prev, e.Seed)
		}
		seeds[e.Seed] = e.Name
		if names[e.Name] {
			t.Errorf("name %s repeats", e.Name)
		}
		names[e.Name] = true
		for _, s := range e.Config.Scenarios {
			if splits[s] == nil {
				splits[s] = map[string]int{}
			}
			splits[s][e.Split]++
		}
	}
	for _, s := range Scenarios() {
		if splits[s.Name]["train"] == 0 || splits[s.Name]["test"] == 0 {
			t.Errorf("scenario %s is not in both splits: %v", s.Name, splits[s.Name])
		}
	}
	if diff := cmp.Diff(TrainingPlan(7), plan, cmp.AllowUnexported(Config{})); diff != "" {
		t.Errorf("TrainingPlan(7) is not stable (-again, +first):\n%s", diff)
	}
	if TrainingPlan(8)[0].Seed == plan[0].Seed {
		t.Error("TrainingPlan(8) reuses the seeds of TrainingPlan(7)")
	}
}

func TestWriteCorpus(t *testing.T) {
	plan := TrainingPlan(3)[:1]
	plan = append(plan, TrainingPlan(3)[8])
	for i := range plan {
		plan[i].Config.Duration = 40 * time.Second
		plan[i].Config.Hosts = 2
		plan[i].Config.AttackSpan = 3 * time.Second
	}
	dir := t.TempDir()
	c, err := writeCorpus(context.Background(), dir, 3, plan)
	if err != nil {
		t.Fatalf("writeCorpus() error = %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Corpus
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("corpus.json: %v", err)
	}
	if diff := cmp.Diff(back, *c, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Config" }, cmp.Ignore())); diff != "" {
		t.Errorf("corpus.json (-got, +want):\n%s", diff)
	}
	for _, e := range c.Entries {
		tr, err := ReadTruth(filepath.Join(dir, e.Truth))
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if tr.Packets != e.Packets || tr.Packets == 0 {
			t.Errorf("%s: corpus says %d packets, truth %d", e.Name, e.Packets, tr.Packets)
		}
		if _, err := os.Stat(filepath.Join(dir, e.Capture)); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
	}
	if diff := cmp.Diff(c.Entries[1].Labels, []string{Benign, plan[1].Config.Scenarios[1]}); diff != "" {
		t.Errorf("labels (-got, +want):\n%s", diff)
	}
}
