import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

/**
 * A PIN pad that works with the mouse, a touch screen and the keyboard alike: the field
 * takes typed digits and Enter; the buttons type into the same field.
 */
export function PinPad({
  label,
  submitLabel,
  busy,
  onSubmit,
}: {
  label: string;
  submitLabel: string;
  busy?: boolean;
  onSubmit: (pin: string) => void;
}) {
  const { t } = useTranslation();
  const [pin, setPin] = useState("");
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pin && !busy) {
      onSubmit(pin);
      setPin("");
    }
  };
  const press = (digit: string) => setPin((value) => (value + digit).slice(0, 12));
  return (
    <form className="pinpad" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        autoFocus
        pattern="[0-9]*"
        value={pin}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, "").slice(0, 12))}
      />
      <div className="keys" role="group" aria-label={t("pinpad.keys")}>
        {["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((digit) => (
          <button type="button" key={digit} onClick={() => press(digit)}>
            {digit}
          </button>
        ))}
        <button type="button" onClick={() => setPin((value) => value.slice(0, -1))} aria-label={t("pinpad.delete")}>
          ⌫
        </button>
        <button type="button" onClick={() => press("0")}>
          0
        </button>
        <button type="submit" disabled={busy || !pin} aria-label={submitLabel}>
          ✓
        </button>
      </div>
    </form>
  );
}
