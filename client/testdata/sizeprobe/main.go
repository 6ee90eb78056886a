// Command sizeprobe is the smallest GrowSurf-only SDK program: it opens a
// client on growsurf:// and prints the backend's name. TestSDKSize builds
// it to measure what the SDK links.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/refbridge/refbridge/client"
	_ "github.com/refbridge/refbridge/client/growsurfclient"
)

func main() {
	c, err := client.Open(context.Background(), "growsurf://KEY@")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(c.Capabilities().Backend)
}
