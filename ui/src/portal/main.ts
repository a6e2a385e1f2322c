import { mount } from "svelte";
import "../app.css";
import "./portal.css";
import App from "./App.svelte";

const target = document.getElementById("portal");
if (!target) throw new Error("portal.html has no #portal element");
export default mount(App, { target });
