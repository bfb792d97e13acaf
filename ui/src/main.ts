import { mount } from "svelte";
import { getCurrentWindow } from "@tauri-apps/api/window";
import Staff from "./views/Staff.svelte";
import Kiosk from "./views/Kiosk.svelte";
import "./app.css";

// The one entry (index.html): one bundle, two windows, the staff window and the
// guest-facing kiosk. The screens are in views/ (components/README.md).
const isKiosk = getCurrentWindow().label === "kiosk";
export default mount(isKiosk ? Kiosk : Staff, { target: document.getElementById("app")! });
