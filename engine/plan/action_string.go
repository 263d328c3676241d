package plan

var actionNames = [...]string{"no-op", "create", "read", "update", "delete-then-create", "create-then-delete", "delete", "forget"}

func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return "Action(?)"
	}
	return actionNames[a]
}
