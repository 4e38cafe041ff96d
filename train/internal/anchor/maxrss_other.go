//go:build !unix

package anchor

// MaxRSS returns 0 where getrusage is unavailable.
func MaxRSS() uint64 { return 0 }

// CPUSeconds returns 0 where getrusage is unavailable.
func CPUSeconds() float64 { return 0 }
