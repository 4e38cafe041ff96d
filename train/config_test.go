package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"flowsift/train/model"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		ok     bool
	}{
		{"default", func(*Config) {}, true},
		{"entropy log2 fraction", func(c *Config) { c.Criterion = Entropy; c.MaxFeatures = "0.5" }, true},
		{"explicit weights", func(c *Config) { c.ClassWeight = WeightExplicit; c.ClassWeights = map[string]float64{"a": 3} }, true},
		{"zero trees", func(c *Config) { c.Trees = 0 }, false},
		{"criterion", func(c *Config) { c.Criterion = "mse" }, false},
		{"max features word", func(c *Config) { c.MaxFeatures = "half" }, false},
		{"max features fraction > 1", func(c *Config) { c.MaxFeatures = "1.5" }, false},
		{"max features zero", func(c *Config) { c.MaxFeatures = "0" }, false},
		{"negative depth", func(c *Config) { c.MaxDepth = -1 }, false},
		{"min split 1", func(c *Config) { c.MinSamplesSplit = 1 }, false},
		{"min leaf 0", func(c *Config) { c.MinSamplesLeaf = 0 }, false},
		{"bins 1", func(c *Config) { c.MaxBins = 1 }, false},
		{"bins 256", func(c *Config) { c.MaxBins = 256 }, false},
		{"workers", func(c *Config) { c.Workers = -1 }, false},
		{"threshold", func(c *Config) { c.Threshold = 1.5 }, false},
		{"threshold NaN", func(c *Config) { c.Threshold = math.NaN() }, false},
		{"split", func(c *Config) { c.Split = "random" }, false},
		{"one fold", func(c *Config) { c.Folds = 1 }, false},
		{"repeats", func(c *Config) { c.PermutationRepeats = -1 }, false},
		{"calibration bins", func(c *Config) { c.CalibrationBins = 0 }, false},
		{"weights without explicit", func(c *Config) { c.ClassWeights = map[string]float64{"a": 3} }, false},
		{"explicit without weights", func(c *Config) { c.ClassWeight = WeightExplicit }, false},
		{"negative weight", func(c *Config) { c.ClassWeight = WeightExplicit; c.ClassWeights = map[string]float64{"a": -1} }, false},
		{"class weight mode", func(c *Config) { c.ClassWeight = "balanced_subsample" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mutate(&c)
			err := c.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate() error = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrConfig) {
				t.Errorf("Validate() error = %v, want ErrConfig", err)
			}
		})
	}
}

func TestIsolationConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*IsolationConfig)
		ok     bool
	}{
		{"default", func(*IsolationConfig) {}, true},
		{"trees", func(c *IsolationConfig) { c.Trees = 0 }, false},
		{"subsample", func(c *IsolationConfig) { c.Subsample = 1 }, false},
		{"depth", func(c *IsolationConfig) { c.MaxDepth = -2 }, false},
		{"quantile 1", func(c *IsolationConfig) { c.Quantile = 1 }, false},
		{"quantile 0", func(c *IsolationConfig) { c.Quantile = 0 }, false},
		{"workers", func(c *IsolationConfig) { c.Workers = -1 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultIsolationConfig()
			tt.mutate(&c)
			err := c.Validate()
			if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, ErrConfig)) {
				t.Errorf("Validate() error = %v, want ok=%t", err, tt.ok)
			}
		})
	}
}

func TestFeaturesPerSplit(t *testing.T) {
	tests := []struct {
		spec string
		nf   int
		want int
	}{
		{"sqrt", 40, 6},
		{"log2", 40, 5},
		{"all", 40, 40},
		{"0.33", 40, 13},
		{"1.0", 40, 40},
		{"12", 40, 12},
		{"100", 40, 40},
		{"0.01", 40, 1},
		{"sqrt", 1, 1},
	}
	for _, tt := range tests {
		got, err := featuresPerSplit(tt.spec, tt.nf)
		if err != nil || got != tt.want {
			t.Errorf("featuresPerSplit(%q, %d) = %d, %v; want %d", tt.spec, tt.nf, got, err, tt.want)
		}
	}
}

func TestDatasetValidate(t *testing.T) {
	good := func() *Dataset { return synth(30, 10, 2, 1, 2, 0, 2) }
	tests := []struct {
		name   string
		mutate func(*Dataset)
	}{
		{"no features", func(d *Dataset) { d.Schema.Names = nil; d.X = nil }},
		{"columns vs names", func(d *Dataset) { d.X = d.X[:1] }},
		{"ragged column", func(d *Dataset) { d.X[1] = d.X[1][:5] }},
		{"one class", func(d *Dataset) { d.Classes = d.Classes[:1] }},
		{"label out of range", func(d *Dataset) { d.Y[3] = 2 }},
		{"negative label", func(d *Dataset) { d.Y[3] = -1 }},
		{"groups length", func(d *Dataset) { d.Groups = d.Groups[:4] }},
		{"one row", func(d *Dataset) {
			d.Y = d.Y[:1]
			d.X[0], d.X[1], d.Groups = d.X[0][:1], d.X[1][:1], d.Groups[:1]
		}},
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("Validate(good) error = %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good()
			tt.mutate(d)
			if err := d.Validate(); !errors.Is(err, ErrDataset) {
				t.Errorf("Validate() error = %v, want ErrDataset", err)
			}
		})
	}
}

func TestBinning(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	nan := float32(math.NaN())
	tests := []struct {
		name    string
		col     []float32
		maxBins int
		bins    int // expected number of bins (edges + 1)
	}{
		{"few distinct", []float32{3, 1, 2, 2, 3, nan, 1}, 255, 3},
		{"adjacent float32", []float32{1, math.Nextafter32(1, 2), 1, math.Nextafter32(1, 2)}, 255, 2},
		{"infinities", []float32{float32(math.Inf(-1)), 0, float32(math.Inf(1))}, 255, 3},
		{"all missing", []float32{nan, nan}, 255, 1},
		{"constant", []float32{4, 4, 4}, 255, 1},
		{"many distinct", randomColumn(rng, 5000, false), 255, 255},
		{"many distinct few bins", randomColumn(rng, 5000, false), 16, 16},
		{"heavy ties", randomColumn(rng, 5000, true), 255, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edges := binEdges([][]float32{tt.col}, tt.maxBins, 1, 1)[0]
			if tt.bins > 0 && len(edges)+1 != tt.bins {
				t.Errorf("%d bins, want %d (edges %v)", len(edges)+1, tt.bins, edges)
			}
			if len(edges)+1 > tt.maxBins {
				t.Errorf("%d bins, want <= %d", len(edges)+1, tt.maxBins)
			}
			for i := 1; i < len(edges); i++ {
				if !(edges[i] > edges[i-1]) {
					t.Fatalf("edges not increasing at %d: %v, %v", i, edges[i-1], edges[i])
				}
			}
			occupied := map[uint8]bool{}
			for _, v := range tt.col {
				b := binOf(v, edges)
				if v != v {
					if b != missingCode {
						t.Errorf("binOf(NaN) = %d, want %d", b, missingCode)
					}
					continue
				}
				occupied[b] = true
				// The real-valued test the trees use must agree with the code.
				if int(b) < len(edges) && !(v <= edges[b]) || b > 0 && !(v > edges[b-1]) {
					t.Errorf("binOf(%v) = %d, but edges around it are %v", v, b, edges)
				}
			}
			if len(edges) > 0 && len(occupied) != len(edges)+1 {
				t.Errorf("%d of %d bins occupied by training values, want all", len(occupied), len(edges)+1)
			}
		})
	}
}

func randomColumn(rng *rand.Rand, n int, ties bool) []float32 {
	c := make([]float32, n)
	for i := range c {
		c[i] = float32(rng.ExpFloat64())
		if ties && rng.IntN(2) == 0 {
			c[i] = 0 // half the flows have no payload
		}
	}
	return c
}

func TestMidpoint(t *testing.T) {
	tests := []struct{ a, b float32 }{
		{1, 2},
		{1, math.Nextafter32(1, 2)},
		{-3, 3},
		{math.MaxFloat32 / 2, math.MaxFloat32},
		{0, float32(math.Inf(1))},
		{float32(math.Inf(-1)), 0},
	}
	for _, tt := range tests {
		if m := midpoint(tt.a, tt.b); !(tt.a <= m && m < tt.b) {
			t.Errorf("midpoint(%v, %v) = %v, want in [a, b)", tt.a, tt.b, m)
		}
	}
}

func TestBinEdgesSampleLargeColumns(t *testing.T) {
	// Above binSampleRows the edges come from a seeded sample: still
	// increasing, still consistent, and the same for the same seed.
	rng := rand.New(rand.NewPCG(33, 34))
	col := randomColumn(rng, binSampleRows+5000, true)
	a := binEdges([][]float32{col}, 255, 9, 2)[0]
	b := binEdges([][]float32{col}, 255, 9, 1)[0]
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("edges: %d and %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] || (i > 0 && !(a[i] > a[i-1])) {
			t.Fatalf("edge %d: %v vs %v", i, a[i], b[i])
		}
	}
}

func TestDescribeFile(t *testing.T) {
	path := t.TempDir() + "/rows.parquet"
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := DescribeFile(path, 3)
	if err != nil {
		t.Fatalf("DescribeFile() error = %v", err)
	}
	// sha256("abc") from FIPS 180-2, appendix B.1.
	want := model.InputFile{Path: path, SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Bytes: 3, Rows: 3}
	if got != want {
		t.Errorf("DescribeFile() = %+v, want %+v", got, want)
	}
	if _, err := DescribeFile(path+".absent", 0); err == nil {
		t.Errorf("DescribeFile(absent) error = nil")
	}
}
