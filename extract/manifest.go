package extract

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"flowsift/extract/capture"
	"flowsift/extract/decode"
	"flowsift/extract/flow"
	"flowsift/internal/atomicfile"
)

// SchemaVersion is the version of the table schemas in docs/schema.md.
const SchemaVersion = "1"

// ManifestName is the capture manifest's file name in the output directory.
const ManifestName = "capture.json"

// Manifest is the provenance of an extract run: what was read, what was
// produced, and everything that went wrong along the way.
type Manifest struct {
	Tool          string                 `json:"tool"`
	Version       string                 `json:"version"`
	SchemaVersion string                 `json:"schema_version"`
	CaptureID     string                 `json:"capture_id"`
	Config        Config                 `json:"config"`
	Files         []capture.FileStats    `json:"files"`
	Skipped       []capture.Skipped      `json:"skipped,omitempty"`
	Packets       int64                  `json:"packets"`
	FirstTS       int64                  `json:"first_ts_ns"`
	LastTS        int64                  `json:"last_ts_ns"`
	Decode        map[string]int64       `json:"decode"`
	FlowTable     flow.Stats             `json:"flow_table"`
	Reassembly    decode.ReassemblyStats `json:"ip_reassembly"`
	Quality       Quality                `json:"quality"`
	Protocols     map[string]int64       `json:"protocol_problems,omitempty"`
	Tables        map[string]TableInfo   `json:"tables"`
}

// Quality sums the capture-quality counters over all files and flows.
type Quality struct {
	TruncatedPackets       int64 `json:"truncated_packets"`
	DuplicatePackets       int64 `json:"duplicate_packets"`
	TimeBackwards          int64 `json:"ts_backwards"`
	Gaps                   int64 `json:"gaps"`
	MaxGapNS               int64 `json:"max_gap_ns"`
	MissedBytes            int64 `json:"missed_bytes"`
	Fragments              int64 `json:"fragments"`
	UnreassembledFragments int64 `json:"unreassembled_fragments"`
}

// TableInfo describes one written table.
type TableInfo struct {
	File string `json:"file"`
	Rows int64  `json:"rows"`
}

// ReadManifest reads DIR/capture.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
	}
	return &m, nil
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
