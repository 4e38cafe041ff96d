// Package http parses HTTP/1.0 and HTTP/1.1 from the two reassembled byte
// streams of a TCP connection into the rows of http.parquet, the way Zeek's
// http.log describes them.
//
// # Input
//
// A [Conn] per TCP connection, driven by the flow table: [Conn.Data] with
// each direction's in-order payload bytes in chunks of any size,
// [Conn.Gap] where reassembly lost bytes, and [Conn.Close] when the flow
// ends. Chunk boundaries never change the result: feeding a stream byte by
// byte gives the same transactions as feeding it whole.
//
// # Output
//
// One [Transaction] per request/response pair, handed to the emit function
// in request order: request line, the headers http.parquet keeps, the
// request head as sent (capped at [MaxRequestHead] bytes), header names in
// order and upper case as Zeek logs them, body lengths after removing the
// chunked coding, the final status and any 1xx interim status (Zeek's
// info_code and info_msg). A header that was absent is nil; one that was
// present and empty points at "". Strings are escaped as package text does.
//
// Pipelined requests queue up and are matched to responses in order
// (bounded by [Config.MaxPending], after which the oldest are emitted
// unanswered, as Zeek does). A response with no request still gives a row,
// with the request fields nil; so does a request never answered, emitted at
// Close.
//
// # Invariants
//
// Nothing here panics, whatever the bytes. Memory per connection is bounded:
// one header block per direction up to [Config.MaxHeaderBytes] (the
// connection is dropped and counted beyond it), the pending queue, and short
// line buffers for chunk sizes. Bodies are skipped without copying or
// allocating. A connection whose first bytes, in either direction, do not
// look like HTTP is dropped after a few bytes; once one direction has shown
// HTTP, garbage in the other only makes that direction resynchronise. A gap inside a body is counted into the body length and parsing
// goes on; a gap anywhere else abandons the message in progress and the
// direction resynchronises at the next request or status line. Problems are
// counted by kind in [Counts], never returned as errors.
//
// Departures from Zeek, on purpose: uri is the request target as sent (Zeek
// logs it percent-decoded), because proxy and web-server Sigma rules match
// encoded forms; version is the request's until a response replaces it
// (Zeek leaves it unset for unanswered requests).
package http
