package datasets

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Corpus indexes a labelled training corpus written by TrainingSet.
type Corpus struct {
	Format  string        `json:"format"`
	Seed    uint64        `json:"seed"`
	Entries []CorpusEntry `json:"entries"`
}

// CorpusEntry is one capture of a corpus. Each capture has its own seed, so
// its own LAN subnet, hosts, software mix and attacker addresses: splitting
// by capture (Split) keeps a model from being scored on the hosts it
// learned.
type CorpusEntry struct {
	Name    string   `json:"name"`
	Capture string   `json:"capture"` // file name in the corpus directory
	Truth   string   `json:"truth"`
	Split   string   `json:"split"`  // "train" or "test"
	Labels  []string `json:"labels"` // event types present
	Config  Config   `json:"-"`
	Seed    uint64   `json:"seed"`
	Scale   float64  `json:"scale"`
	Packets int64    `json:"packets"`
	Flows   int64    `json:"flows"`
}

// CorpusFormat identifies corpus.json files.
const CorpusFormat = "flowsift-corpus/1"

// TrainingPlan lists the captures TrainingSet writes for seed: six benign
// office captures (four train, two test) and, for every attack, two
// five-minute captures over a benign background at different intensities
// (one train, one test), plus three more training captures of each attack
// that is only a few flows or a few dozen.
func TrainingPlan(seed uint64) []CorpusEntry {
	var plan []CorpusEntry
	sub := func(i int) uint64 { return seed*1000 + uint64(i) + 1 }
	for i := range 6 {
		cfg := Config{Scenarios: []string{Benign}, Seed: sub(i), Hosts: 4 + 2*i, Scale: 1,
			Duration: time.Duration(8+i%3*2) * time.Minute}
		split := "train"
		if i >= 4 {
			split = "test"
		}
		plan = append(plan, CorpusEntry{Name: fmt.Sprintf("benign-%d", i+1), Split: split, Config: cfg})
	}
	for j, s := range Scenarios()[1:] {
		for k, split := range []string{"train", "test"} {
			cfg := Config{Scenarios: []string{Benign, s.Name}, Seed: sub(100 + 2*j + k), Hosts: 4 + (j+k)%3,
				Scale: []float64{0.5, 0.25}[(j+k)%2], Duration: 5 * time.Minute}
			if s.Type == AttackBeaconing {
				cfg.Duration = 20 * time.Minute
			}
			plan = append(plan, CorpusEntry{Name: fmt.Sprintf("%s-%d", s.Name, k+1), Split: split, Config: cfg})
		}
	}
	// Attacks that are a handful of flows per capture (one ping flood is
	// one flow) or a few dozen would give the model too few examples;
	// three more training captures each, at other intensities, give it
	// more.
	for j, s := range Scenarios()[1:] {
		if !slices.Contains(fewFlowAttacks, s.Name) {
			continue
		}
		for k, scale := range []float64{0.1, 0.75, 1} {
			cfg := Config{Scenarios: []string{Benign, s.Name}, Seed: sub(300 + 3*j + k), Hosts: 4 + k, Scale: scale, Duration: 5 * time.Minute}
			plan = append(plan, CorpusEntry{Name: fmt.Sprintf("%s-%d", s.Name, k+3), Split: "train", Config: cfg})
		}
	}
	for i := range plan {
		plan[i].Seed = plan[i].Config.Seed
		plan[i].Scale = plan[i].Config.Scale
		plan[i].Capture = plan[i].Name + ".pcap.gz"
		plan[i].Truth = TruthPath(plan[i].Capture)
	}
	return plan
}

// fewFlowAttacks are the scenarios whose attack is a few flows, or a few
// dozen (a UDP scan's probes are rate-limited by the ICMP answers).
var fewFlowAttacks = []string{AttackICMPFlood, AttackICMPTunnel, AttackExfiltration, AttackAsymmetricDDoS, AttackUnusualPorts, AttackUDPScan}

// TrainingSet writes the captures of TrainingPlan(seed) into dir, each with
// its truth file, and an index, corpus.json.
func TrainingSet(ctx context.Context, dir string, seed uint64) (*Corpus, error) {
	return writeCorpus(ctx, dir, seed, TrainingPlan(seed))
}

func writeCorpus(ctx context.Context, dir string, seed uint64, plan []CorpusEntry) (*Corpus, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("training set: %w", err)
	}
	c := &Corpus{Format: CorpusFormat, Seed: seed}
	for _, e := range plan {
		t, err := WriteCapture(ctx, filepath.Join(dir, e.Capture), "", e.Config)
		if err != nil {
			return nil, fmt.Errorf("training set %s: %w", e.Name, err)
		}
		e.Packets, e.Flows = t.Packets, t.FlowCount
		e.Labels = nil
		for _, ev := range t.Events {
			e.Labels = append(e.Labels, ev.Type)
		}
		c.Entries = append(c.Entries, e)
	}
	err := atomicWrite(filepath.Join(dir, "corpus.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(c)
	})
	if err != nil {
		return nil, fmt.Errorf("training set: %w", err)
	}
	return c, nil
}
