package extract

import (
	"context"
	"encoding/json"
	"slices"

	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
	"flowsift/extract/flow"
)

// Table file names in the output directory.
const (
	FlowsFile = "flows.parquet"
	DNSFile   = "dns.parquet"
	HTTPFile  = "http.parquet"
	TLSFile   = "tls.parquet"
)

// TableFiles are every table an extract run can write.
var TableFiles = []string{FlowsFile, DNSFile, HTTPFile, TLSFile}

// Run reads the inputs in one pass and writes the tables and the capture
// manifest to cfg.OutDir. Tables are written atomically; on failure no
// table that looks complete is left behind.
func Run(ctx context.Context, cfg Config) (*Manifest, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	src, err := capture.Open(cfg.Inputs, capture.Options{GapThreshold: cfg.GapThreshold, Warn: cfg.Warn, NoHash: cfg.NoHash})
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(src.Files()))
	for i, f := range src.Files() {
		paths[i] = f.Path
	}
	capID, key, err := captureID(paths)
	if err != nil {
		return nil, err
	}
	r, err := newRunner(cfg, capID, key, paths)
	if err != nil {
		return nil, err
	}
	stopProgress := r.startProgress(src)
	err = r.read(ctx, src)
	stopProgress()
	if err != nil {
		r.abort()
		return nil, err
	}
	return r.finish(src)
}

// runner holds the state of one extract run.
type runner struct {
	cfg     Config
	out     string
	capID   string
	flows   *tableWriter[FlowRow]
	rec     *records // protocol tables; nil when disabled
	fctx    flowContext
	table   *flow.Table
	decode  [decode.TunnelTooDeep + 1]int64
	packets atomic.Int64
	reasm   *decode.Reassembler
	late    decode.Packet // an incomplete datagram's first fragment
	firstTS int64
	lastTS  int64
	started time.Time
}

func newRunner(cfg Config, capID string, key uint64, paths []string) (*runner, error) {
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{
		"flowsift.schema_version": SchemaVersion,
		"flowsift.capture_id":     capID,
		"flowsift.version":        cfg.ToolVersion,
		"flowsift.config":         string(cfgJSON),
	}
	r := &runner{cfg: cfg, out: cfg.OutDir, capID: capID, started: time.Now(), reasm: decode.NewReassembler()}
	r.flows, err = newTableWriter[FlowRow](filepath.Join(cfg.OutDir, FlowsFile), cfg.ToolVersion, meta)
	if err != nil {
		return nil, err
	}
	r.fctx = flowContext{captureID: capID, key: key, files: paths, seed: cfg.CommunityIDSeed, localNets: cfg.LocalNets, appOf: appOf}
	if cfg.Protocols {
		if r.rec, err = newRecords(cfg.OutDir, cfg.ToolVersion, meta, &r.fctx); err != nil {
			r.flows.abort()
			return nil, err
		}
	}
	r.table, err = flow.NewTable(cfg.Flow, r.emit)
	if err != nil {
		r.abort()
		return nil, err
	}
	return r, nil
}

func (r *runner) emit(f *flow.Flow, reason flow.EndReason) {
	if r.rec != nil && reason != flow.EndActive {
		// The connection ends: its parsers write what they still hold
		// before the flow row takes their summary.
		r.rec.finish(f)
	}
	row, a := r.flows.next()
	r.fctx.fill(row, a, f, reason)
}

func (r *runner) read(ctx context.Context, src *capture.Source) error {
	var dec decode.Decoder
	var p decode.Packet
	var m flow.Meta
	var n int64
	for pkt, err := range src.Packets(ctx) {
		if err != nil {
			return err
		}
		n++
		if n&1023 == 0 {
			r.packets.Store(n)
		}
		if r.firstTS == 0 || pkt.Timestamp < r.firstTS {
			r.firstTS = pkt.Timestamp
		}
		r.lastTS = max(r.lastTS, pkt.Timestamp)
		for dg, ok := r.reasm.Expire(pkt.Timestamp); ok; dg, ok = r.reasm.Expire(pkt.Timestamp) {
			r.incomplete(&dec, dg)
		}
		res := dec.Decode(pkt.LinkType, pkt.Data, &p)
		r.decode[res]++
		m = flow.Meta{TS: pkt.Timestamp, WireLen: pkt.WireLen, CapLen: len(pkt.Data), File: pkt.File, PktNo: pkt.Number, Ordinal: n}
		if h := fragmented(&p, res); h != nil {
			ref := decode.FragRef{File: pkt.File, Number: pkt.Number, Ordinal: n}
			dg, ok := r.reasm.Add(h, &p, pkt.WireLen, pkt.Timestamp, ref)
			if !ok {
				continue
			}
			if !dg.Complete {
				r.incomplete(&dec, dg)
				continue
			}
			res = dec.DecodeIP(dg.Packet, &p)
			m.WireLen, m.CapLen, m.Frags = dg.Wire, dg.Wire, dg.Frags
		}
		if res != decode.OK && res != decode.OtherTransport {
			continue
		}
		info := r.table.Add(&p, &m)
		if r.rec != nil && info.Flow != nil && len(p.Payload) > 0 && res == decode.OK {
			r.rec.packet(info, &p, pkt.Timestamp)
		}
	}
	for dg, ok := r.reasm.ExpireAll(); ok; dg, ok = r.reasm.ExpireAll() {
		r.incomplete(&dec, dg)
	}
	r.packets.Store(n)
	r.table.Flush()
	return nil
}

// incomplete accounts a datagram the reassembler gave up on to its flow,
// from its first fragment. Its payload is partial, so protocol parsers do
// not see it.
func (r *runner) incomplete(dec *decode.Decoder, dg decode.Datagram) {
	if dg.Packet == nil {
		return // the first fragment never arrived: nothing names the flow
	}
	p := &r.late
	*p = decode.Packet{VLAN: dg.VLAN}
	res := dec.DecodeIP(dg.Packet, p)
	if res != decode.OK && res != decode.OtherTransport {
		return
	}
	m := flow.Meta{TS: dg.TS, WireLen: dg.Wire, CapLen: dg.Wire, Frags: dg.Frags, File: dg.Ref.File, PktNo: dg.Ref.Number, Ordinal: dg.Ref.Ordinal}
	r.table.Add(p, &m)
}

func (r *runner) abort() {
	r.flows.abort()
	if r.rec != nil {
		r.rec.abort()
	}
}

func (r *runner) finish(src *capture.Source) (*Manifest, error) {
	if err := r.flows.commit(); err != nil {
		if r.rec != nil {
			r.rec.abort()
		}
		return nil, err
	}
	if r.rec != nil {
		if err := r.rec.commit(); err != nil {
			return nil, err
		}
	}
	m := &Manifest{
		Tool:          "flowsift",
		Version:       r.cfg.ToolVersion,
		SchemaVersion: SchemaVersion,
		CaptureID:     r.capID,
		Config:        r.cfg,
		Files:         absPaths(src.Files()),
		Skipped:       src.Skipped(),
		Packets:       r.packets.Load(),
		FirstTS:       r.firstTS,
		LastTS:        r.lastTS,
		Decode:        map[string]int64{},
		FlowTable:     r.table.Stats(),
		Tables:        map[string]TableInfo{"flows": {File: FlowsFile, Rows: r.flows.rows}},
	}
	if r.rec != nil {
		m.Tables["dns"] = TableInfo{File: DNSFile, Rows: r.rec.dns.rows}
		m.Tables["http"] = TableInfo{File: HTTPFile, Rows: r.rec.http.rows}
		m.Tables["tls"] = TableInfo{File: TLSFile, Rows: r.rec.tls.rows}
		m.Protocols = r.rec.problems
	}
	for res, n := range r.decode {
		if n > 0 {
			m.Decode[decode.Result(res).String()] = n
		}
	}
	for _, f := range m.Files {
		m.Quality.TruncatedPackets += f.Truncated
		m.Quality.TimeBackwards += f.TimeBackwards
		m.Quality.Gaps += f.Gaps
		m.Quality.MaxGapNS = max(m.Quality.MaxGapNS, f.MaxGapNS)
	}
	m.Quality.DuplicatePackets = r.table.Stats().Duplicates
	m.Quality.MissedBytes = r.table.Stats().MissedBytes
	m.Reassembly = r.reasm.Stats
	m.Reassembly.Expired += r.reasm.Pending()
	m.Quality.Fragments = r.reasm.Stats.Fragments
	m.Quality.UnreassembledFragments = m.Reassembly.Expired + m.Reassembly.Dropped
	// Nothing read because the inputs are damaged: keep the manifest,
	// which says why, but no empty tables a later stage would take for a
	// quiet network.
	failed := m.Packets == 0 && !cleanlyEmpty(m)
	if failed {
		m.Tables = map[string]TableInfo{}
	}
	// Tables of an earlier run into this directory that this run did not
	// write (--no-protocols, or the failure above) describe another
	// capture.
	written := map[string]bool{}
	for _, t := range m.Tables {
		written[t.File] = true
	}
	for _, name := range TableFiles {
		if !written[name] {
			os.Remove(filepath.Join(r.out, name))
		}
	}
	if err := writeJSON(filepath.Join(r.out, ManifestName), m); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	if failed {
		return m, ErrNoPackets
	}
	return m, nil
}

// absPaths records the inputs by absolute path, so that carve finds them
// from any working directory.
func absPaths(files []capture.FileStats) []capture.FileStats {
	out := slices.Clone(files)
	for i := range out {
		if p, err := filepath.Abs(out[i].Path); err == nil {
			out[i].Path = p
		}
	}
	return out
}

// cleanlyEmpty reports whether every input was read to its end without a
// framing error and simply held no packets, as a capture of a silent
// interface does.
func cleanlyEmpty(m *Manifest) bool {
	if len(m.Files) == 0 || len(m.Skipped) > 0 {
		return false
	}
	for _, f := range m.Files {
		if len(f.Errors) > 0 || f.Error != "" {
			return false
		}
	}
	return true
}

// startProgress reports progress about four times a second until stopped.
func (r *runner) startProgress(src *capture.Source) (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read, total := src.Progress()
				r.cfg.Progress(Progress{BytesRead: read, BytesTotal: total, Packets: r.packets.Load(), Elapsed: time.Since(r.started)})
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// fragmented returns the outermost fragmented IP header of p, or nil.
func fragmented(p *decode.Packet, res decode.Result) *decode.IPHeader {
	for i := range p.NumOuter {
		if p.Outer[i].Fragment {
			return &p.Outer[i]
		}
	}
	if res.HasIP() && p.Fragment {
		return &p.IPHeader
	}
	return nil
}
