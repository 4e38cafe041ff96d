//go:build !race

package decode_test

// raceEnabled is set when the race detector is on; it changes what
// allocates, so the allocation test skips.
const raceEnabled = false
