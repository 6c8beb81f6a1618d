// One shared clock ticking every second while any component uses it (countdowns, the timeline's "now").

let now = $state(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** Call during component init; `clock.now` is reactive and stops ticking when the last user goes. */
export function useClock(): { readonly now: number } {
  $effect(() => {
    users += 1;
    if (users === 1) {
      now = Date.now();
      timer = setInterval(() => (now = Date.now()), 1000);
    }
    return () => {
      users -= 1;
      if (users === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  });
  return {
    get now() {
      return now;
    },
  };
}
