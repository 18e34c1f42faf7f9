// Command ready signals Antithesis that setup is complete (lifecycle.SetupComplete; locally the SDK writes the
// line to $ANTITHESIS_SDK_LOCAL_OUTPUT), then idles until SIGTERM/SIGINT so that the test-composer commands
// can run in its container by exec.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/antithesishq/antithesis-sdk-go/lifecycle"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	host, _ := os.Hostname()
	lifecycle.SetupComplete(map[string]any{"host": host})
	fmt.Println("ready: setup complete signalled")
	<-stop
}
