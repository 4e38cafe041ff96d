package capture

import "slices"

// FileStats describes one capture file after (or while) it is read. The
// extract stage copies it into the capture manifest.
type FileStats struct {
	Path        string `json:"path"`
	Size        int64  `json:"size_bytes"`
	SHA256      string `json:"sha256"`
	Format      string `json:"format"`                // pcap, pcap-nsec, pcap-modified, pcapng
	Compression string `json:"compression,omitempty"` // gzip, zstd
	// Packets counts records read; CapturedBytes and WireBytes sum their
	// captured and on-the-wire lengths.
	Packets       int64 `json:"packets"`
	CapturedBytes int64 `json:"captured_bytes"`
	WireBytes     int64 `json:"wire_bytes"`
	// FirstTS and LastTS are the first and last record timestamps in
	// nanoseconds since the epoch (0 when the file holds no packet).
	FirstTS   int64      `json:"first_ts_ns"`
	LastTS    int64      `json:"last_ts_ns"`
	LinkTypes []LinkType `json:"link_types"`
	SnapLen   uint32     `json:"snaplen"`
	// Truncated counts packets cut by the snap length (captured < wire length).
	Truncated int64 `json:"truncated_packets"`
	// CapLenOverWire counts records whose captured length exceeds the wire
	// length (damaged metadata; the wire length is raised to match).
	CapLenOverWire int64 `json:"caplen_over_wire"`
	// TimeBackwards counts packets stamped earlier than the previous one.
	TimeBackwards int64 `json:"ts_backwards"`
	// Gaps counts silences between consecutive packets of at least the
	// configured gap threshold; MaxGapNS is the longest silence seen.
	Gaps     int64 `json:"gaps"`
	MaxGapNS int64 `json:"max_gap_ns"`
	// Errors counts framing problems by kind; Error is the first one's text.
	Errors map[string]int64 `json:"errors,omitempty"`
	Error  string           `json:"error,omitempty"`
}

func (s *FileStats) addLinkType(l LinkType) {
	if !slices.Contains(s.LinkTypes, l) {
		s.LinkTypes = append(s.LinkTypes, l)
	}
}

func (s *FileStats) addError(kind string, err error) {
	if s.Errors == nil {
		s.Errors = make(map[string]int64)
	}
	s.Errors[kind]++
	if s.Error == "" && err != nil {
		s.Error = err.Error()
	}
}
