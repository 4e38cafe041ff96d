// Package capture reads packets from capture files and live interfaces.
//
// # Input
//
// Files are recognised by their magic bytes, never by their names: classic
// pcap (both byte orders, microsecond and nanosecond resolution, the
// Kuznetzov "modified" variant and the archaic 2.0-2.2 versions that swap the
// length fields), pcapng (any number of sections and interfaces, per-interface
// link types, if_tsresol and if_tsoffset), and either of those compressed with
// gzip or zstd. Several files, or a directory of them, form one stream ordered
// by each file's first timestamp, so a capture rotated into pieces reads as a
// single capture.
//
// # Output
//
// [Source.Packets] is a pull iterator of [Packet] values. A packet's Data
// aliases the reader's buffer and is valid only until the iterator advances;
// callers copy what they keep. Nothing is allocated per packet.
//
// # Live capture
//
// [Live] captures on a Linux interface for a fixed time into a pcap file,
// without cgo or libpcap: an AF_PACKET socket (gopacket's pcapgo) with a
// classic BPF filter for ports and hosts assembled in this package; see
// [LiveConfig] for exactly what the filter keeps. The file is written by
// [PcapWriter], which never replaces an existing file and gives the capture
// its name only when it is complete. [Interfaces] lists what can be
// captured on. On other systems Live returns an error.
//
// # Invariants
//
// A damaged file never stops the run: records that cannot be read are counted
// by kind in [FileStats], the rest of that file is skipped when its framing is
// lost, and the next file is read. Only I/O errors on opening or reading end
// the iteration with an error.
package capture
