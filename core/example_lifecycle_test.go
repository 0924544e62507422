package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/polyfn/polyfn/core"
)

// An App declares its configuration and opens its clients in a start
// hook, which adapters run before serving, and flushes in a stop hook. The
// build tool reads the declarations without running either, so building
// needs no secret.
func ExampleApp_OnStart() {
	app := core.NewApp()
	core.Must(app.Setting("SHOP_API_KEY", core.Secret(), core.Describe("the key API callers send in X-Api-Key")))
	core.Must(app.Setting("SHOP_REGION", core.Default("eu-west-1")))

	var apiKey, region string
	app.OnStart(func(ctx context.Context, cfg core.Config) error {
		apiKey, region = cfg.Get("SHOP_API_KEY"), cfg.Get("SHOP_REGION")
		return nil
	})
	app.OnStop(func(ctx context.Context) error {
		fmt.Println("flushed")
		return nil
	})

	// What an adapter does at start-up (with os.LookupEnv) and shutdown.
	err := app.Start(context.Background(), func(string) (string, bool) { return "", false })
	fmt.Println(err)
	env := map[string]string{"SHOP_API_KEY": "k-123"}
	err = app.Start(context.Background(), func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	fmt.Println(err, len(apiKey), region)
	_ = app.Stop(context.Background())
	// Output:
	// polyfn: required setting not set: SHOP_API_KEY (secret): the key API callers send in X-Api-Key
	// <nil> 5 eu-west-1
	// flushed
}

// The App's spec, which manifests are generated from, carries the
// declarations of its settings and its functions' knobs, never a value.
func ExampleApp_Setting() {
	app := core.NewApp()
	core.Must(app.Setting("SHOP_API_KEY", core.Secret()))
	core.Must(app.Setting("SHOP_REGION", core.Default("eu-west-1"), core.Describe("where orders are stored")))
	core.Must(app.Event("fulfil", func(context.Context, core.Event) (*core.Event, error) { return nil, nil },
		core.OnQueue("orders"), core.WithTimeout(time.Minute), core.WithMemory(512), core.WithInstances(1, 20),
		core.WithRollout(core.Canary(10, 5*time.Minute))))
	spec, _ := json.MarshalIndent(app, "", "  ")
	fmt.Println(string(spec))
	// Output:
	// {
	//   "functions": [
	//     {
	//       "name": "fulfil",
	//       "kind": "event",
	//       "triggers": [
	//         {
	//           "kind": "queue",
	//           "name": "orders"
	//         }
	//       ],
	//       "timeout": "1m0s",
	//       "deploy": {
	//         "memoryMB": 512,
	//         "minInstances": 1,
	//         "maxInstances": 20,
	//         "rollout": {
	//           "strategy": "canary",
	//           "percent": 10,
	//           "interval": "5m0s"
	//         }
	//       }
	//     }
	//   ],
	//   "settings": [
	//     {
	//       "name": "SHOP_API_KEY",
	//       "secret": true,
	//       "required": true
	//     },
	//     {
	//       "name": "SHOP_REGION",
	//       "default": "eu-west-1",
	//       "description": "where orders are stored"
	//     }
	//   ]
	// }
}
