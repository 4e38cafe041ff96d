package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenModelDigest pins the SHA-256 of a model trained and evaluated
// on a fixed synthetic dataset (entropy criterion, balanced weights, missing
// values, three classes, groups, plus an isolation forest). The bytes must
// be the same on every machine and architecture, so a CI runner of another
// kind catches platform-dependent arithmetic. A deliberate change to
// training rewrites it with UPDATE_GOLDEN=1.
func TestGoldenModelDigest(t *testing.T) {
	d := synth(60, 1200, 7, 4, 3, 0.1, 4)
	cfg := fastConfig()
	cfg.Trees = 10
	cfg.Criterion = Entropy
	cfg.ClassWeight = WeightBalanced
	cfg.PermutationRepeats = 1
	ctx := context.Background()
	res, err := Fit(ctx, d, cfg)
	if err != nil {
		t.Fatalf("Fit() error = %v", err)
	}
	if res.Model.Evaluation, err = Evaluate(ctx, d, cfg); err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	if res.Model.Anomaly, err = FitIsolation(ctx, d.X, IsolationConfig{Trees: 10, Subsample: 128, Quantile: 0.99, Seed: 3}); err != nil {
		t.Fatalf("FitIsolation() error = %v", err)
	}
	sum := sha256.Sum256(modelBytes(t, res.Model))
	got := hex.EncodeToString(sum[:]) + "\n"
	path := filepath.Join("testdata", "model.sha256")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with UPDATE_GOLDEN=1 to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("model digest %s, want %s", strings.TrimSpace(got), strings.TrimSpace(string(want)))
	}
}
