package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"flowsift/datasets"
)

func cmdGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("generate", "[options] -o FILE", `
Write a synthetic capture with ground truth: office background traffic and
attack scenarios (floods, scans, tunnels, exfiltration, beaconing ...) as
classic pcap with nanosecond timestamps, and beside it FILE's truth manifest
(x.pcap or x.pcap.gz gives x.truth.json): every event with its attackers,
victims and time window, and every flow with the Zeek conn_state and history
it should get. The same options and seed always give the same bytes.

A name ending in .gz is gzip-compressed; "-o -" writes plain pcap to stdout
(the truth is then written only with --truth). A scenario may carry its own
scale, as in --scenario syn_flood:0.5. Run with --list for the scenarios.`, stdout)
	def := datasets.DefaultConfig()
	scenarios := fs.StringSlice("scenario", nil, "scenario to generate, as `NAME[:SCALE]` (repeatable or comma-separated; default benign)")
	seed := fs.Uint64("seed", def.Seed, "random seed")
	start := fs.String("start", "", "capture start, RFC 3339 (default "+datasets.DefaultStart.Format(time.RFC3339)+")")
	duration := fs.Duration("duration", 0, "capture length (default: from the scenarios; 10m with --benign)")
	benign := fs.Bool("benign", false, "add office background traffic to the attack scenarios")
	hosts := fs.Int("hosts", def.Hosts, "workstations in the office background")
	scale := fs.Float64("scale", def.Scale, "attack intensity multiplier (rates, targets, bytes)")
	span := fs.Duration("attack-span", 0, "length of every attack window (default: per scenario)")
	maxPackets := fs.Int64("max-packets", 0, "stop after this many packets (0: no limit)")
	noFlows := fs.Bool("no-flows", false, "leave the per-flow list out of the truth (for captures with millions of flows)")
	output := fs.StringP("output", "o", "", "capture `FILE` to write (.gz: gzip)")
	truth := fs.String("truth", "", "truth `FILE` (default beside the capture)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	demo := fs.String("demo", "", "write the README demo capture and truth into `DIR` and exit")
	corpus := fs.String("corpus", "", "write a labelled training corpus into `DIR` and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	switch {
	case *list:
		for _, s := range datasets.Scenarios() {
			fmt.Fprintf(stdout, "%-22s %s\n", s.Name, s.Description)
		}
		return nil
	case *demo != "":
		t, err := datasets.WriteDemo(ctx, *demo)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d packets, %d flows to %s, truth to %s\n", t.Packets, t.FlowCount,
			filepath.Join(*demo, datasets.DemoCapture), filepath.Join(*demo, datasets.DemoTruth))
		return nil
	case *corpus != "":
		c, err := datasets.TrainingSet(ctx, *corpus, *seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d captures and corpus.json to %s\n", len(c.Entries), *corpus)
		return nil
	case *output == "":
		return usageError{fmt.Errorf("no output file (-o)")}
	}

	cfg := datasets.Config{Seed: *seed, Duration: *duration, Benign: *benign, Hosts: *hosts, Scale: *scale,
		AttackSpan: *span, MaxPackets: *maxPackets, OmitFlows: *noFlows}
	for _, s := range *scenarios {
		name, sc, ok := strings.Cut(strings.TrimSpace(s), ":")
		if ok {
			v, err := strconv.ParseFloat(sc, 64)
			if err != nil {
				return usageError{fmt.Errorf("scenario %q: bad scale %q", name, sc)}
			}
			if cfg.Scales == nil {
				cfg.Scales = map[string]float64{}
			}
			cfg.Scales[name] = v
		}
		cfg.Scenarios = append(cfg.Scenarios, name)
	}
	if len(cfg.Scenarios) == 0 {
		cfg.Scenarios = def.Scenarios
	}
	if *start != "" {
		t, err := time.Parse(time.RFC3339Nano, *start)
		if err != nil {
			return usageError{fmt.Errorf("--start %q: not an RFC 3339 time (2026-03-02T09:00:00Z)", *start)}
		}
		cfg.Start = t
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}

	var t *datasets.Truth
	var err error
	if *output == "-" {
		bw := bufio.NewWriter(stdout)
		if t, err = datasets.Generate(ctx, bw, cfg); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write stdout: %w", err)
		}
		if *truth != "" {
			if err := t.WriteFile(*truth); err != nil {
				return err
			}
		}
		fmt.Fprintf(stderr, "flowsift generate: %d packets, %d flows\n", t.Packets, t.FlowCount)
		return nil
	}
	if t, err = datasets.WriteCapture(ctx, *output, *truth, cfg); err != nil {
		return err
	}
	tp := *truth
	if tp == "" {
		tp = datasets.TruthPath(*output)
	}
	fmt.Fprintf(stdout, "wrote %d packets, %d flows (%s .. %s) to %s, truth to %s\n", t.Packets, t.FlowCount,
		t.FirstPacket.Format(time.RFC3339), t.LastPacket.Format(time.RFC3339), *output, tp)
	return nil
}
