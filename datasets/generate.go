package datasets

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"flowsift/internal/atomicfile"
)

// withDefaults fills zero fields that have no meaningful zero value.
func (c Config) withDefaults() Config {
	if c.Hosts == 0 {
		c.Hosts = 8
	}
	if c.Scale == 0 {
		c.Scale = 1
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC()
	return c
}

// plan works out the capture window and each attack's window.
type attackWindow struct {
	def        scenarioDef
	start, end int64
}

func (c Config) layout() (benign bool, dur time.Duration, attacks []attackWindow) {
	benign = c.Benign
	for _, n := range c.Scenarios {
		if n == Benign {
			benign = true
			continue
		}
		d, _ := lookupScenario(n)
		attacks = append(attacks, attackWindow{def: d})
	}
	span := func(d scenarioDef) time.Duration {
		if c.AttackSpan > 0 && d.Type != AttackBeaconing {
			return c.AttackSpan
		}
		return d.DefaultSpan
	}
	dur = c.Duration
	if dur == 0 {
		longest := time.Duration(0)
		whole := false
		for _, a := range attacks {
			s := span(a.def)
			if s == 0 {
				whole = true
			}
			longest = max(longest, s)
		}
		switch {
		case whole:
			dur = 4 * time.Hour
		case benign:
			dur = max(10*time.Minute, longest*12/10+2*time.Minute)
		default:
			dur = longest + 10*time.Second
		}
	}
	lead := 5 * time.Second
	if benign {
		lead = min(dur/10, time.Minute)
	}
	lead = min(lead, dur/4)
	room := dur - 2*lead
	start := c.Start.UnixNano()
	for i := range attacks {
		s := span(attacks[i].def)
		if s == 0 || s > room {
			s = room
		}
		off := lead
		if s < room {
			off += time.Duration(float64(room-s) * (float64(i) + 0.5) / float64(len(attacks)))
		}
		attacks[i].start = start + int64(off)
		attacks[i].end = attacks[i].start + int64(s)
	}
	return benign, dur, attacks
}

// Generate writes a pcap for cfg to w and returns its ground truth. The same
// cfg always produces the same bytes. Generation streams: memory grows with
// the connections open at one time (and with Truth.Flows unless OmitFlows),
// never with the capture's size.
func Generate(ctx context.Context, w io.Writer, cfg Config) (*Truth, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := loadKeys(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	benign, dur, attacks := cfg.layout()
	pw, err := newPcapWriter(w)
	if err != nil {
		return nil, err
	}
	g := &gen{ctx: ctx, cfg: cfg, w: pw}
	g.r = rand.New(rand.NewPCG(cfg.Seed, 0x666c6f7773696674))
	g.start = cfg.Start.UnixNano()
	g.end = g.start + int64(dur)
	g.now = g.start
	g.net = newNetwork(g.child())
	g.office = newOffice(g, cfg.Hosts)

	var names []string
	if benign {
		names = append(names, Benign)
		ev := g.event(Event{Type: Benign, Scenario: Benign, Description: scenarioDefs[0].Description})
		g.office.install(ev)
		g.events[ev].Details = g.office.details()
	}
	for _, a := range attacks {
		names = append(names, a.def.Name)
		scale := cfg.Scale
		if v, ok := cfg.Scales[a.def.Name]; ok {
			scale = v
		}
		ac := &attackCtx{g: g, o: g.office, start: a.start, end: a.end, scale: scale, r: g.child()}
		ac.ev = g.event(Event{})
		ev := a.def.install(ac)
		ev.Type = a.def.Type
		ev.Scenario = a.def.Name
		ev.Description = a.def.Description
		acc := g.events[ac.ev]
		acc.Event = ev
		if acc.Attackers == nil {
			acc.Attackers = []string{}
		}
		if acc.Victims == nil {
			acc.Victims = []string{}
		}
	}
	if err := g.run(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if err := pw.flush(); err != nil {
		return nil, err
	}
	return g.truth(names), nil
}

// WriteCapture generates cfg into the file capture (gzip-compressed when
// its name ends in ".gz") and writes the truth to the file truth, or beside
// the capture (TruthPath) when truth is "". Both files are written under
// temporary names and renamed, so a failed run leaves no partial output.
func WriteCapture(ctx context.Context, capture, truth string, cfg Config) (*Truth, error) {
	return writeCapture(ctx, capture, truth, cfg, gzip.DefaultCompression)
}

func writeCapture(ctx context.Context, capture, truth string, cfg Config, level int) (*Truth, error) {
	var t *Truth
	err := atomicWrite(capture, func(w io.Writer) error {
		var err error
		t, err = generateTo(ctx, w, cfg, strings.HasSuffix(capture, ".gz"), level)
		return err
	})
	if err != nil {
		return nil, err
	}
	if truth == "" {
		truth = TruthPath(capture)
	}
	if err := t.WriteFile(truth); err != nil {
		return nil, err
	}
	return t, nil
}

// WriteFile writes t to path atomically.
func (t *Truth) WriteFile(path string) error {
	return atomicWrite(path, t.WriteJSON)
}

// generateTo runs Generate, optionally through a deterministic gzip stream
// (no name, no modification time).
func generateTo(ctx context.Context, w io.Writer, cfg Config, gz bool, level int) (*Truth, error) {
	if !gz {
		return Generate(ctx, w, cfg)
	}
	zw, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	t, err := Generate(ctx, zw, cfg)
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return t, nil
}

func atomicWrite(path string, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ScenarioNames returns every scenario name, benign first.
func ScenarioNames() []string {
	var out []string
	for _, s := range Scenarios() {
		out = append(out, s.Name)
	}
	return slices.Clip(out)
}
