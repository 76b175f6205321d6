// Heat's own behaviour: confirmation before destructive actions.
// A form or button with data-confirm="…" asks before it submits.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || form.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
