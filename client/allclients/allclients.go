// Package allclients registers every scheme client.Open knows — the five
// vendors and the in-process engine — for programs that pick the backend
// at run time (refbridge migrate does). Import it for its side effect:
//
//	import _ "github.com/refbridge/refbridge/client/allclients"
//
// It links every vendor adapter, the engine and both SQL drivers; a
// program that needs one backend imports that backend's package instead
// (client/growsurfclient, …, client/engineclient).
package allclients

import (
	_ "github.com/refbridge/refbridge/client/engineclient"         // sqlite://, postgres://
	_ "github.com/refbridge/refbridge/client/growsurfclient"       // growsurf://
	_ "github.com/refbridge/refbridge/client/ireferclient"         // irefer://
	_ "github.com/refbridge/refbridge/client/referralheroclient"   // referralhero://
	_ "github.com/refbridge/refbridge/client/referralrocketclient" // referralrocket://
	_ "github.com/refbridge/refbridge/client/rewardfulclient"      // rewardful://
)
