//go:build !unix

package capture

import "os"

// mapFile is unavailable here: files are streamed instead.
func mapFile(*os.File, int64) ([]byte, func(), bool) { return nil, nil, false }
