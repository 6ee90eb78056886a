// Package all lists the five vendor surfaces, explicitly: there is no
// init-time registration, so what the proxy serves is visible here.
package all

import (
	"github.com/refbridge/refbridge/adapters/growsurf"
	"github.com/refbridge/refbridge/adapters/irefer"
	"github.com/refbridge/refbridge/adapters/referralhero"
	"github.com/refbridge/refbridge/adapters/referralrocket"
	"github.com/refbridge/refbridge/adapters/rewardful"
	"github.com/refbridge/refbridge/adapters/surface"
)

// Surfaces returns a new instance of every vendor surface, in the
// canonical vendor order.
func Surfaces() []surface.Surface {
	return []surface.Surface{
		referralrocket.NewSurface(),
		growsurf.NewSurface(),
		referralhero.NewSurface(),
		rewardful.NewSurface(),
		irefer.NewSurface(),
	}
}
