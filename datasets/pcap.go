package datasets

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

const (
	pcapMagicNano  = 0xa1b23c4d
	pcapSnapLen    = 262144
	linkEthernet   = 1
	pcapBufferSize = 256 << 10
)

// pcapWriter writes classic little-endian pcap with nanosecond timestamps.
// It is written by hand rather than with pcapgo.Writer because the hot path
// must not convert every timestamp to a time.Time; tests read the output
// back with pcapgo to keep it honest.
type pcapWriter struct {
	w   *bufio.Writer
	hdr [16]byte
	n   int64 // packets written
}

func newPcapWriter(w io.Writer) (*pcapWriter, error) {
	bw := bufio.NewWriterSize(w, pcapBufferSize)
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagicNano)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], pcapSnapLen)
	binary.LittleEndian.PutUint32(h[20:], linkEthernet)
	if _, err := bw.Write(h[:]); err != nil {
		return nil, fmt.Errorf("write pcap header: %w", err)
	}
	return &pcapWriter{w: bw}, nil
}

func (p *pcapWriter) write(ts int64, frame []byte) error {
	binary.LittleEndian.PutUint32(p.hdr[0:], uint32(ts/1e9))
	binary.LittleEndian.PutUint32(p.hdr[4:], uint32(ts%1e9))
	binary.LittleEndian.PutUint32(p.hdr[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(p.hdr[12:], uint32(len(frame)))
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return fmt.Errorf("write packet %d: %w", p.n+1, err)
	}
	if _, err := p.w.Write(frame); err != nil {
		return fmt.Errorf("write packet %d: %w", p.n+1, err)
	}
	p.n++
	return nil
}

func (p *pcapWriter) flush() error {
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("flush pcap: %w", err)
	}
	return nil
}
