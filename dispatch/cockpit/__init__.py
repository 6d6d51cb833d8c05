"""The cockpit's (驾驶舱) figures as a shared snapshot: computed by one process per interval, served to every screen."""
