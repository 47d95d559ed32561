// The host of the hashicorp/go-plugin peer: times starting the plugin
// process (until the interface is dispensed), a small call and echoes.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"tenonpeer/measure"
	"tenonpeer/rpc/shared"
)

var sink interface{}

func start(server, protocol string) (*plugin.Client, shared.Peer) {
	cmd := exec.Command(server)
	cmd.Env = append(os.Environ(), shared.ProtocolEnv+"="+protocol)
	config := &plugin.ClientConfig{
		HandshakeConfig: shared.Handshake,
		Cmd:             cmd,
		Logger:          hclog.New(&hclog.LoggerOptions{Level: hclog.Error, Output: os.Stderr}),
	}
	if protocol == "grpc" {
		config.Plugins = map[string]plugin.Plugin{"peer": &shared.GRPCPlugin{}}
		config.AllowedProtocols = []plugin.Protocol{plugin.ProtocolGRPC}
	} else {
		config.Plugins = map[string]plugin.Plugin{"peer": &shared.RPCPlugin{}}
		config.AllowedProtocols = []plugin.Protocol{plugin.ProtocolNetRPC}
	}
	client := plugin.NewClient(config)
	conn, err := client.Client()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	raw, err := conn.Dispense("peer")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return client, raw.(shared.Peer)
}

func main() {
	server := flag.String("server", "", "the plugin process binary")
	protocol := flag.String("protocol", "netrpc", "netrpc or grpc")
	starts := flag.Int("starts", 31, "how many times to time a start")
	flag.Parse()
	prefix := "go-plugin-" + *protocol
	measure.Each(prefix+"/start", *starts, func() time.Duration {
		t := time.Now()
		client, _ := start(*server, *protocol)
		d := time.Since(t)
		client.Kill()
		return d
	})
	client, peer := start(*server, *protocol)
	defer client.Kill()
	measure.Loop(prefix+"/len", func(n int) {
		var s uint64
		for i := 0; i < n; i++ {
			s += peer.Len()
		}
		sink = s
	})
	for _, size := range []struct {
		n     int
		label string
	}{{64, "64B"}, {1 << 20, "1MiB"}} {
		input := make([]byte, size.n)
		for i := range input {
			input[i] = byte(i)
		}
		measure.Loop(prefix+"/echo-"+size.label, func(n int) {
			for i := 0; i < n; i++ {
				sink = peer.Echo(input)
			}
		})
	}
}
